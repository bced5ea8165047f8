/**
 * A Chat Completions body as a Messages API request. What changes the answer and has no Anthropic equivalent is a
 * 400 naming the field (`UntranslatableError`), thrown before anything is sent.
 */
import { toMessages } from "./messages";
import { isObject, UntranslatableError } from "./untranslatable";

/** Fields sent on, translated below. */
const TRANSLATED = new Set([
  "model",
  "messages",
  "stream",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "user",
  "safety_identifier",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
]);

/**
 * Bookkeeping on OpenAI's side that does not change the answer, ignored: `stream_options` (the stream's usage
 * chunk is ours to add), `store`, `metadata`, `service_tier` (billing), `prompt_cache_key`/`prompt_cache_retention`
 * (OpenAI's cache routing), and `seed` (best effort at OpenAI, no Anthropic equivalent; a version default may set it).
 */
const IGNORED = new Set([
  "stream_options",
  "store",
  "metadata",
  "service_tier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "seed",
]);

/** Fields with no Anthropic equivalent: allowed only at the value that changes nothing. */
const NEUTRAL: Record<string, { neutral: (value: unknown) => boolean; reason: string }> = {
  n: { neutral: (v) => v === 1, reason: "the Messages API returns one choice" },
  logprobs: { neutral: (v) => v === false, reason: "the Messages API returns no log probabilities" },
  top_logprobs: { neutral: () => false, reason: "the Messages API returns no log probabilities" },
  logit_bias: {
    neutral: (v) => isObject(v) && Object.keys(v).length === 0,
    reason: "the Messages API has no token biases",
  },
  presence_penalty: { neutral: (v) => v === 0, reason: "the Messages API has no penalties" },
  frequency_penalty: { neutral: (v) => v === 0, reason: "the Messages API has no penalties" },
  modalities: {
    neutral: (v) => Array.isArray(v) && v.every((m) => m === "text"),
    reason: "the Messages API answers in text only",
  },
  audio: { neutral: () => false, reason: "the Messages API answers in text only" },
  prediction: { neutral: () => false, reason: "the Messages API has no predicted outputs" },
  reasoning_effort: { neutral: () => false, reason: "not translated to Anthropic's thinking settings" },
  verbosity: { neutral: () => false, reason: "the Messages API has no verbosity setting" },
  web_search_options: { neutral: () => false, reason: "not translated to Anthropic's web search tool" },
  functions: { neutral: () => false, reason: "legacy function calling is not translated: use tools" },
  function_call: { neutral: () => false, reason: "legacy function calling is not translated: use tool_choice" },
};

/** The Messages API request for `body` (its `model` already the upstream's); `stream` is how the call is made. */
export function toMessagesRequest(
  body: Record<string, unknown>,
  defaultMaxTokens: number,
  stream: boolean,
): Record<string, unknown> {
  for (const field in body) {
    const value = body[field];
    if (value === undefined || value === null || TRANSLATED.has(field) || IGNORED.has(field)) continue;
    const rule = NEUTRAL[field];
    if (!rule) throw new UntranslatableError(field, "unknown field, not translated to the Messages API");
    if (!rule.neutral(value)) throw new UntranslatableError(field, rule.reason);
  }
  const { system, turns } = toMessages(body.messages);
  const request: Record<string, unknown> = {
    model: body.model,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? defaultMaxTokens,
  };
  if (system.length) request.system = system.length === 1 ? system[0].text : system;
  request.messages = turns;
  if (Array.isArray(body.tools) && body.tools.length) request.tools = toTools(body.tools);
  const choice = toToolChoice(body.tool_choice, body.parallel_tool_calls, request.tools !== undefined);
  if (choice) request.tool_choice = choice;
  const format = toOutputFormat(body.response_format);
  if (format) request.output_config = { format };
  if (body.temperature != null) {
    // OpenAI's range is 0–2; Anthropic's 0–1, and the scales are not the same: no rescaling.
    if (typeof body.temperature === "number" && body.temperature > 1)
      throw new UntranslatableError("temperature", "Anthropic accepts 0 to 1");
    request.temperature = body.temperature;
  }
  if (body.top_p != null) request.top_p = body.top_p;
  const stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (Array.isArray(stop) && stop.length) request.stop_sequences = stop;
  const user = body.safety_identifier ?? body.user;
  if (typeof user === "string" && user) request.metadata = { user_id: user };
  request.stream = stream;
  return request;
}

function toTools(tools: unknown[]): Record<string, unknown>[] {
  return tools.map((tool, i) => {
    if (!isObject(tool) || tool.type !== "function" || !isObject(tool.function))
      throw new UntranslatableError(`tools.${i}.type`, "only function tools are translated");
    const fn = tool.function;
    const out: Record<string, unknown> = { name: fn.name };
    if (fn.description != null) out.description = fn.description;
    // A function without parameters takes none; the Messages API needs the schema anyway.
    out.input_schema = fn.parameters ?? { type: "object", properties: {} };
    if (fn.strict === true) out.strict = true;
    return out;
  });
}

function toToolChoice(choice: unknown, parallel: unknown, hasTools: boolean): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "none") out = { type: "none" };
  else if (choice === "required") out = { type: "any" };
  else if (isObject(choice) && choice.type === "function" && isObject(choice.function))
    out = { type: "tool", name: choice.function.name };
  else if (choice != null)
    throw new UntranslatableError("tool_choice", "not translated (auto, none, required or a function)");
  // OpenAI's default is parallel calls, as is Anthropic's; only `false` needs saying.
  if (parallel === false && hasTools) {
    out ??= { type: "auto" };
    if (out.type !== "none") out.disable_parallel_tool_use = true;
  }
  return out;
}

/** json_schema → structured outputs (`output_config.format`, generally available: no beta header). */
function toOutputFormat(format: unknown): Record<string, unknown> | null {
  if (format == null) return null;
  if (!isObject(format)) throw new UntranslatableError("response_format", "must be an object");
  if (format.type === "text") return null;
  if (format.type === "json_schema") {
    const schema = isObject(format.json_schema) ? format.json_schema.schema : undefined;
    if (!isObject(schema)) throw new UntranslatableError("response_format.json_schema.schema", "missing");
    return { type: "json_schema", schema };
  }
  if (format.type === "json_object")
    throw new UntranslatableError(
      "response_format",
      "Anthropic's structured outputs need a schema: send a json_schema response_format",
    );
  throw new UntranslatableError("response_format", `type ${JSON.stringify(format.type)} is not translated`);
}
