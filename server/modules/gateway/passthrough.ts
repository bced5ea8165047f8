/**
 * Chat Completions toward an upstream are a pass-through: the upstream gets the body the client sent (tools,
 * response_format, n, logprobs, content parts of every type, unknown future fields), with `model` rewritten, the
 * parameters the gateway itself decided (a version's defaults, a prompt's config, an experiment's variant) set,
 * and the messages rebuilt only where a managed prompt or a route's input steps changed them. An Anthropic
 * upstream gets that body translated (`providers/anthropic-chat`); what cannot be translated is refused here, by
 * name, before anything is sent. Local ONNX models refuse what they cannot serve (images, n > 1, logprobs...).
 */
import { DomainError } from "@/server/errors";
import type { GenerationParams } from "@/server/modules/models/schemas";
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from "@/server/modules/providers/anthropic";
import { toMessagesRequest } from "@/server/modules/providers/anthropic-chat/request";
import { UntranslatableError } from "@/server/modules/providers/anthropic-chat/untranslatable";
import { NATIVE_ANTHROPIC_BODY } from "@/server/modules/providers/types";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import { anthropicOnlyFields } from "./anthropic-wire/native-fields";
import { EXTRAS, type WithExtras } from "./pipeline-hooks";
import { type ChatCompletionBody, messageText } from "./schemas";
import type { ServedVersion } from "./target";

/** On an engine message built from a client message: that message as sent (survives the pipeline's `{...m}` copies). */
export const SOURCE = Symbol("switchyard.source");
type Sourced = { [SOURCE]?: Record<string, unknown> };
type RawMessage = Record<string, unknown> & { content?: ChatCompletionBody["messages"][number]["content"] };

/** Whether the version is an upstream, which gets the client's Chat Completions body (translated for Anthropic). */
export const passesThrough = (version: ServedVersion) => version.model.provider !== "onnx_local";

const nativeOf = (body: object) => (body as Record<symbol, unknown>)[NATIVE_ANTHROPIC_BODY];
const present = (v: unknown) => v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The first field of `raw` a local model cannot honour (its path as OpenAI names it), or null. Tools, tool turns
 * and JSON response formats are served (`local-structured.ts` checks their shapes).
 */
function unsupportedField(raw: Record<string, unknown>): string | null {
  for (const field of ["functions", "function_call", "audio", "prediction"]) if (present(raw[field])) return field;
  if (typeof raw.n === "number" && raw.n > 1) return "n";
  if (raw.logprobs === true) return "logprobs";
  if (raw.top_logprobs !== undefined && raw.top_logprobs !== null) return "top_logprobs";
  if (isObject(raw.logit_bias) && Object.keys(raw.logit_bias).length > 0) return "logit_bias";
  const messages = raw.messages as unknown[];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Record<string, unknown>;
    if (m.role === "function") return `messages.${i}.role`;
    if (present(m.function_call)) return `messages.${i}.function_call`;
    if (Array.isArray(m.content))
      for (let j = 0; j < m.content.length; j++)
        if ((m.content[j] as { type?: unknown }).type !== "text") return `messages.${i}.content.${j}.type`;
  }
  return null;
}

/** Refuses (400) a chat request that asks a local model for more than text, tool calls and JSON. */
export function refuseUnsupported(raw: Record<string, unknown>, version: ServedVersion): void {
  const field = unsupportedField(raw);
  if (field) throw cannotHonour(version, field, "a local model generates text, tool calls and JSON only");
}

/**
 * Refuses (400) an upstream body an Anthropic version cannot be sent: a field the Messages API cannot express. A
 * body carrying the client's own Messages API request (`/v1/messages`) is sent natively and needs no translation.
 */
export function refuseUntranslatable(body: Record<string, unknown>, version: ServedVersion): void {
  if (version.model.provider !== "anthropic" || nativeOf(body) !== undefined) return;
  try {
    toMessagesRequest(body, DEFAULT_ANTHROPIC_MAX_TOKENS, false);
  } catch (error) {
    if (error instanceof UntranslatableError)
      throw cannotHonour(version, error.field, `it is served by Anthropic: ${error.reason}`);
    throw error;
  }
}

/**
 * Refuses (400) what a `/v1/messages` client asked for that only an Anthropic model sent the native request can
 * honour (`top_k`, `thinking`, thinking blocks, citations…), when that native request is not what goes out: the
 * model is not Anthropic's, or a prompt or an input step rebuilt the messages. `cache_control` is a pricing hint
 * that does not change the answer: it is not refused.
 */
export function refuseAnthropicOnly(
  raw: Record<string, unknown>,
  upstream: Record<string, unknown> | null,
  version: ServedVersion,
): void {
  const native = nativeOf(raw) as Record<string, unknown> | undefined;
  if (!native) return;
  if (version.model.provider === "anthropic" && upstream && nativeOf(upstream) !== undefined) return;
  const field = anthropicOnlyFields(native).find((path) => !path.endsWith("cache_control"));
  if (!field) return;
  const why =
    version.model.provider === "anthropic"
      ? "the messages were changed by a prompt or a route's input step, so the request is translated"
      : "only an Anthropic model can, and this request would be translated";
  throw cannotHonour(version, field, why);
}

function cannotHonour(version: ServedVersion, field: string, why: string) {
  const label = `${version.model.name}@${version.version}`;
  return new DomainError("VALIDATION", `${field}: model '${label}' cannot honour '${field}' (${why})`, [
    { path: field, message: `Not supported by ${label}` },
  ]);
}

/** Output guards read one text (the first choice's): several choices would pass the others unguarded. */
export function refuseBesideOutputGuards(raw: Record<string, unknown>): void {
  if (typeof raw.n === "number" && raw.n > 1)
    throw new DomainError("VALIDATION", "n: this route's output guardrails check one choice: send n = 1", [
      { path: "n", message: "Only n = 1 with output guardrails" },
    ]);
}

/** Our own fields and those the gateway sets: not copied from the client's body as they are. */
const OWN_FIELDS = new Set(["model", "messages", "variables"]);

/**
 * The upstream's request body: the client's, field for field, except `model`, our `variables`, the parameters
 * the gateway decided, `messages` when `sentAsIs` is false, and `stream_options.include_usage` on streams (the
 * log needs the usage).
 */
export function upstreamBody(
  raw: Record<string, unknown>,
  upstreamModel: string,
  input: GenerationInput,
  sentAsIs: boolean,
  params: GenerationParams,
  caller: GenerationParams,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: upstreamModel };
  body.messages = sentAsIs || !("messages" in input) ? raw.messages : upstreamMessages(input.messages);
  for (const key in raw) if (!OWN_FIELDS.has(key)) body[key] = raw[key];
  // The client's own Messages API request (a symbol: `for…in` skips it) holds only while its messages do.
  const native = nativeOf(raw);
  if (sentAsIs && native !== undefined) (body as Record<symbol, unknown>)[NATIVE_ANTHROPIC_BODY] = native;
  if (params.temperature !== caller.temperature) body.temperature = params.temperature;
  if (params.topP !== caller.topP) body.top_p = params.topP;
  if (params.maxTokens !== caller.maxTokens)
    body[raw.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens"] = params.maxTokens;
  if (params.stop !== caller.stop) body.stop = params.stop;
  if (params.seed !== caller.seed) body.seed = params.seed;
  if (raw.stream === true) {
    const options = raw.stream_options;
    if (!isObject(options)) body.stream_options = { include_usage: true };
    else if (options.include_usage !== true) body.stream_options = Object.assign({}, options, { include_usage: true });
  }
  return body;
}

/**
 * Messages after a managed prompt or a route's input steps: each client message as sent, with its text, its
 * text parts and its tool calls' arguments replaced where a step changed them (every other field kept).
 */
function upstreamMessages(messages: Extract<GenerationInput, { messages: unknown }>["messages"]): unknown[] {
  const out: unknown[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const source = (m as Sourced)[SOURCE] as RawMessage | undefined;
    if (!source) out[i] = { role: m.role, content: m.content };
    else {
      const extras = (m as WithExtras)[EXTRAS];
      const textChanged = messageText(source.content) !== m.content;
      const calls = extras?.args ? withArguments(source, extras.args) : null;
      if (!textChanged && !calls) out[i] = source;
      else {
        const copy: Record<string, unknown> = {};
        for (const key in source) copy[key] = source[key];
        if (textChanged) copy.content = withText(source.content, m.content, extras?.parts);
        if (calls) Object.assign(copy, calls);
        out[i] = copy;
      }
    }
  }
  return out;
}

type Part = { type: string; text?: string };

/**
 * The content with `text` in it. Text parts keep their places and other fields: one text part takes the text,
 * several take the guarded `parts` one each (when they join to `text`); otherwise (a step rewrote the joined
 * text, e.g. normalizing) one text part with it comes first, then the other parts.
 */
function withText(content: RawMessage["content"], text: string, parts: string[] | undefined): unknown {
  if (!Array.isArray(content)) return text;
  const texts = content.filter((part) => part.type === "text").length;
  const each = texts === 1 ? [text] : parts && parts.length === texts && parts.join("") === text ? parts : null;
  if (!each) return [{ type: "text", text }, ...content.filter((part) => part.type !== "text")];
  let k = 0;
  return (content as Part[]).map((part) =>
    part.type === "text" ? Object.assign({}, part, { text: each[k++] }) : part,
  );
}

type Call = { function?: Record<string, unknown> } & Record<string, unknown>;

/** `tool_calls` and `function_call` with the arguments a step changed (in `extrasOf`'s order), or null if none. */
function withArguments(source: RawMessage, args: (string | null)[]): Record<string, unknown> | null {
  const calls = Array.isArray(source.tool_calls) ? (source.tool_calls as Call[]) : [];
  const legacy = source.function_call as Call["function"] | undefined;
  const changed = (k: number, fn: Record<string, unknown> | undefined) =>
    fn && args[k] !== null && args[k] !== fn.arguments ? Object.assign({}, fn, { arguments: args[k] }) : null;
  let out: Record<string, unknown> | null = null;
  for (let k = 0; k < calls.length; k++) {
    const fn = changed(k, calls[k]?.function);
    if (!fn) continue;
    out ??= { tool_calls: [...calls] };
    (out.tool_calls as Call[])[k] = Object.assign({}, calls[k], { function: fn });
  }
  const fn = legacy && typeof legacy === "object" ? changed(calls.length, legacy) : null;
  if (fn) {
    out ??= {};
    out.function_call = fn;
  }
  return out;
}

/** The request fields beyond the input and the parameters, for the response-cache key (serialized only when used). */
export class CacheFields {
  constructor(private readonly raw: Record<string, unknown>) {}
  toJSON() {
    const fields: Record<string, unknown> = {};
    for (const key in this.raw) if (!KEYED_ELSEWHERE.has(key)) fields[key] = this.raw[key];
    return fields;
  }
}
/** In the key already (the model version, the input, the parameters) or not changing the answer. */
const KEYED_ELSEWHERE = new Set([
  "model",
  "messages",
  "variables",
  "stream",
  "stream_options",
  "user",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
]);
