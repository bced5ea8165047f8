/**
 * A Hermes / Qwen 2.5 style chat template that takes `tools` (ChatML turns, tools listed in a system turn, calls as
 * `<tool_call>` blocks, tool results as `<tool_response>` in a user turn). Tests and the bench give it to the test
 * model (whose own template has no tools) to exercise tool calling end to end.
 */
const HERMES_TOOLS_TEMPLATE = [
  "{% if tools %}<|im_start|>system\nYou may call one or more functions. Signatures:\n<tools>\n",
  "{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}</tools>\n",
  'Call one as <tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n',
  "{% endif %}",
  "{% for message in messages %}",
  "{% if message.role == 'assistant' and message.tool_calls %}<|im_start|>assistant\n",
  "{% for call in message.tool_calls %}<tool_call>\n",
  '{"name": "{{ call.function.name }}", "arguments": {{ call.function.arguments | tojson }}}\n</tool_call>',
  "{% endfor %}<|im_end|>\n",
  "{% elif message.role == 'tool' %}<|im_start|>user\n<tool_response>\n{{ message.content }}\n</tool_response><|im_end|>\n",
  "{% else %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n",
  "{% endif %}",
  "{% endfor %}",
  "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
].join("");

/** Rewrites a model folder's tokenizer_config.json with the Hermes tools template. */
export async function writeHermesTemplate(dir: string): Promise<void> {
  const { readFile, writeFile } = await import("node:fs/promises");
  const file = `${dir}/tokenizer_config.json`;
  const config = JSON.parse(await readFile(file, "utf8"));
  config.chat_template = HERMES_TOOLS_TEMPLATE;
  await writeFile(file, JSON.stringify(config));
}
