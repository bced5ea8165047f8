/**
 * An Anthropic Messages request → the Chat Completions body the chat pipeline serves. What it translates is
 * validated by Anthropic's rules (model and max_tokens required, user/assistant turns, content a string or blocks),
 * each refusal a 400 naming the field. Fields with no Chat Completions equivalent (top_k, thinking, cache_control…)
 * are left out here and listed by `anthropicOnlyFields` (`native-fields.ts`).
 */
import { z } from "zod";
import { assistantMessage, type ChatPart, toolMessage, userParts } from "./blocks";
import { FieldMap } from "./field-map";
import { invalidField, parseAt } from "./validate";

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "Field required" : `Expected ${what}`;

const stopSequence = z.string().min(1, "A stop sequence cannot be empty").max(100, "At most 100 characters");

const requestSchema = z.looseObject({
  model: z
    .string({ error: required("a string") })
    .trim()
    .min(1, "model is required"),
  max_tokens: z
    .number({ error: required("a number") })
    .int()
    .min(1),
  messages: z.array(z.unknown(), { error: required("an array of messages") }).max(1000),
  system: z
    .union([z.string(), z.array(z.looseObject({ type: z.literal("text"), text: z.string() }))], {
      error: "system must be a string or an array of text blocks",
    })
    .nullish(),
  stop_sequences: z.array(stopSequence).max(8, "At most 8 stop sequences").nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stream: z.boolean().nullish(),
  metadata: z.looseObject({ user_id: z.string().max(200).nullish() }).nullish(),
  tools: z.array(z.looseObject({}), { error: "tools must be an array of tools" }).nullish(),
  tool_choice: z.looseObject({ type: z.string() }).nullish(),
  output_config: z.looseObject({}).nullish(),
  /** Switchyard's own: variables for `prompt:` and `experiment:` models. */
  variables: z.record(z.string(), z.unknown()).nullish(),
});

const messageSchema = z.looseObject({
  role: z.enum(["user", "assistant"], {
    error: "role must be user or assistant (system prompts go in the top-level system field)",
  }),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string({ error: "A block needs a type" }) }))], {
    error: "content must be a string or an array of content blocks",
  }),
});

const toolSchema = z.looseObject({
  name: z
    .string({ error: required("a string") })
    .min(1, "name is required")
    .max(128),
  description: z.string().nullish(),
  input_schema: z.looseObject({ type: z.literal("object", { error: "input_schema.type must be 'object'" }) }),
  strict: z.boolean().nullish(),
});

const toolChoiceSchema = z.looseObject({
  type: z.enum(["auto", "any", "tool", "none"], { error: "tool_choice.type must be auto, any, tool or none" }),
  name: z.string().min(1).nullish(),
  disable_parallel_tool_use: z.boolean().nullish(),
});

const outputFormat = z.looseObject({
  type: z.literal("json_schema", { error: "output_config.format.type must be json_schema" }),
  schema: z.record(z.string(), z.unknown(), { error: "schema must be a JSON Schema object" }),
});

/**
 * The Chat Completions body for an Anthropic Messages request (400 naming the field when it is not valid);
 * `fields` learns where each chat message came from, to name the pipeline's refusals as the client sent them.
 */
export function toChatBody(native: Record<string, unknown>, fields = new FieldMap()): Record<string, unknown> {
  const request = parseAt(requestSchema, native, "");
  const messages: Record<string, unknown>[] = [];
  if (typeof request.system === "string") {
    messages.push({ role: "system", content: request.system });
    fields.messages.push({ at: "system", parts: [], calls: [] });
  } else if (request.system?.length) {
    messages.push({ role: "system", content: request.system.map((b) => ({ type: "text", text: b.text })) });
    fields.messages.push({ at: "system", parts: request.system.map((_, k) => `system.${k}`), calls: [] });
  }
  for (let i = 0; i < request.messages.length; i++) messages.push(...chatMessages(request.messages[i], i, fields));

  const body: Record<string, unknown> = { model: request.model, messages, max_tokens: request.max_tokens };
  if (request.stop_sequences?.length) body.stop = request.stop_sequences;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.metadata?.user_id) body.user = request.metadata.user_id;
  if (request.variables) body.variables = request.variables;
  if (request.tools?.length) body.tools = request.tools.map(chatTool);
  if (request.tool_choice) Object.assign(body, toolChoice(request.tool_choice, Boolean(request.tools?.length)));
  const format = request.output_config?.format;
  if (format != null) {
    const { schema } = parseAt(outputFormat, format, "output_config.format");
    // Anthropic's structured outputs always follow the schema: OpenAI's strict mode is the same promise.
    body.response_format = { type: "json_schema", json_schema: { name: "output", schema, strict: true } };
  }
  if (request.stream) {
    body.stream = true;
    // The gateway always gets the usage from upstream, but forwards it only when asked: message_delta needs it.
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** One Anthropic turn as Chat Completions messages: a user turn's tool results first (as `tool` messages), then the rest. */
function chatMessages(raw: unknown, i: number, fields: FieldMap): Record<string, unknown>[] {
  const at = `messages.${i}`;
  const { role, content } = parseAt(messageSchema, raw, at);
  if (typeof content === "string") {
    fields.messages.push({ at, parts: [], calls: [] });
    return [{ role, content }];
  }
  if (role === "assistant") {
    const calls: string[] = [];
    content.forEach((block, j) => {
      if (block.type === "tool_use") calls.push(`${at}.content.${j}`);
    });
    fields.messages.push({ at, parts: [], calls });
    return [assistantMessage(content, `${at}.content`)];
  }
  const out: Record<string, unknown>[] = [];
  const parts: ChatPart[] = [];
  const partPaths: string[] = [];
  for (let j = 0; j < content.length; j++) {
    const block = content[j];
    const path = `${at}.content.${j}`;
    if (block.type === "tool_result") {
      out.push(toolMessage(block, path));
      fields.messages.push({ at: path, toolResult: true, parts: [], calls: [] });
    } else
      for (const part of userParts(block, path)) {
        parts.push(part);
        partPaths.push(path);
      }
  }
  // A turn of tool results only is no user message; an empty turn stays one (the model sees what the client sent).
  if (parts.length || !out.length) {
    out.push({ role: "user", content: parts });
    fields.messages.push({ at, parts: partPaths, calls: [] });
  }
  return out;
}

function chatTool(raw: Record<string, unknown>, i: number): Record<string, unknown> {
  // Server tools (web_search_20250305, bash_20250124, …) run at Anthropic; a Chat Completions model cannot run them.
  if (raw.type != null && raw.type !== "custom")
    throw invalidField(
      `tools.${i}.type`,
      `Server tool '${String(raw.type)}' is not supported here: declare a custom tool with name and input_schema`,
    );
  const tool = parseAt(toolSchema, raw, `tools.${i}`);
  const fn: Record<string, unknown> = { name: tool.name };
  if (tool.description != null) fn.description = tool.description;
  fn.parameters = tool.input_schema;
  if (tool.strict != null) fn.strict = tool.strict;
  return { type: "function", function: fn };
}

function toolChoice(raw: Record<string, unknown>, hasTools: boolean): Record<string, unknown> {
  const choice = parseAt(toolChoiceSchema, raw, "tool_choice");
  const out: Record<string, unknown> = {};
  if (choice.type === "auto") out.tool_choice = "auto";
  else if (choice.type === "any") out.tool_choice = "required";
  else if (choice.type === "none") out.tool_choice = "none";
  else {
    if (!choice.name) throw invalidField("tool_choice.name", "Field required when type is 'tool'");
    out.tool_choice = { type: "function", function: { name: choice.name } };
  }
  // OpenAI refuses parallel_tool_calls without tools.
  if (choice.disable_parallel_tool_use && hasTools) out.parallel_tool_calls = false;
  return out;
}

/** The request's stop sequences, to tell which one ended the answer when the upstream says (`response.ts`). */
export function stopSequencesOf(native: Record<string, unknown>): string[] {
  const stops = native.stop_sequences;
  return Array.isArray(stops) ? stops.filter((s): s is string => typeof s === "string") : [];
}
