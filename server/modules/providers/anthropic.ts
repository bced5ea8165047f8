import { z } from "zod";
import { StreamAccumulator } from "./accumulator";
import { ProviderError, upstreamMessage } from "./errors";
import { definedOnly, parseEventJson, parseWire, UpstreamHttp } from "./http";
import { chatRequestSchema } from "./schemas";
import type { CallOptions, ChatDelta, ChatProvider, ChatRequest, ChatResult, FinishReason, Usage } from "./types";
import { validate } from "./validate";

export const ANTHROPIC_VERSION = "2023-06-01";
/** The Messages API requires `max_tokens`; this is used when the request sets none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export interface AnthropicConfig {
  /** The API root, e.g. `https://api.anthropic.com` (a trailing `/v1` is tolerated). */
  baseUrl: string;
  apiKey?: string;
  defaultHeaders?: Record<string, string>;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  defaultMaxTokens?: number;
}

const usageWire = z.object({
  input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
});

const messageWire = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: usageWire,
});

const eventWire = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message_start"), message: messageWire.partial().extend({ usage: usageWire.nullish() }) }),
  z.object({
    type: z.literal("content_block_delta"),
    delta: z.object({ type: z.string(), text: z.string().optional() }),
  }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: usageWire.nullish(),
  }),
  z.object({ type: z.literal("message_stop") }),
]);

/** Events we parse; the rest (ping, content_block_start/stop, and types added later) carry nothing we need. */
const HANDLED = new Set(["message_start", "content_block_delta", "message_delta", "message_stop", "error"]);

function mapAnthropicStopReason(raw: string | null): FinishReason {
  switch (raw) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "other";
  }
}

/** Client for Anthropic's Messages API (`POST /v1/messages`). `seed` has no Anthropic equivalent and is not sent. */
export class AnthropicProvider implements ChatProvider {
  readonly kind = "anthropic" as const;
  private readonly http: UpstreamHttp;
  private readonly defaultMaxTokens: number;

  constructor(config: AnthropicConfig) {
    const headers: Record<string, string> = { "anthropic-version": ANTHROPIC_VERSION, ...config.defaultHeaders };
    if (config.apiKey) headers["x-api-key"] = config.apiKey;
    this.http = new UpstreamHttp({ ...config, baseUrl: config.baseUrl.replace(/\/v1\/*$/, ""), headers });
    this.defaultMaxTokens = config.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  }

  async chat(req: ChatRequest, opts?: CallOptions): Promise<ChatResult> {
    const request = validate(chatRequestSchema, req);
    const acc = new StreamAccumulator(request.model);
    const json = await this.http.postJson("/v1/messages", this.body(request, false), opts);
    const message = parseWire(messageWire, json, this.http.host);
    acc.id = message.id ?? null;
    acc.model = message.model ?? request.model;
    for (const block of message.content) if (block.type === "text") acc.text(block.text);
    acc.rawFinishReason = message.stop_reason ?? null;
    acc.usage = addUsage(null, message.usage);
    const result = acc.result(mapAnthropicStopReason);
    result.timing.ttftMs = null;
    return result;
  }

  streamChat(req: ChatRequest, opts?: CallOptions): AsyncIterable<ChatDelta> {
    const request = validate(chatRequestSchema, req);
    return this.stream(request, opts);
  }

  private async *stream(request: ChatRequest, opts?: CallOptions): AsyncGenerator<ChatDelta> {
    const acc = new StreamAccumulator(request.model);
    const host = this.http.host;
    for await (const event of this.http.postSse("/v1/messages", this.body(request, true), opts)) {
      if (event.event && !HANDLED.has(event.event)) continue;
      const payload = parseEventJson(event.data, host) as { type?: unknown } | null;
      const type = event.event ?? payload?.type;
      if (typeof type !== "string" || !HANDLED.has(type)) continue;
      if (type === "error") {
        const overloaded = /overloaded/.test(event.data);
        const message = upstreamMessage(event.data) ?? "unknown error";
        throw new ProviderError("UPSTREAM", `upstream ${host} reported an error mid-stream: ${message}`, {
          retryable: overloaded,
        });
      }
      const parsed = parseWire(eventWire, payload, host);
      switch (parsed.type) {
        case "message_start":
          acc.id = parsed.message.id ?? null;
          acc.model = parsed.message.model ?? request.model;
          acc.usage = addUsage(null, parsed.message.usage);
          break;
        case "content_block_delta": {
          const delta = parsed.delta.type === "text_delta" ? acc.text(parsed.delta.text) : null;
          if (delta) yield delta;
          break;
        }
        case "message_delta":
          acc.rawFinishReason = parsed.delta.stop_reason ?? acc.rawFinishReason;
          acc.usage = addUsage(acc.usage, parsed.usage);
          break;
        case "message_stop":
          yield acc.done(mapAnthropicStopReason);
          return;
      }
    }
    throw new ProviderError("UPSTREAM", `upstream ${host} closed the stream before message_stop`, { retryable: true });
  }

  private body(request: ChatRequest, stream: boolean) {
    const system = request.messages.filter((m) => m.role === "system").map((m) => m.content);
    return {
      model: request.model,
      max_tokens: request.maxTokens ?? this.defaultMaxTokens,
      ...(system.length ? { system: system.join("\n\n") } : {}),
      messages: request.messages.filter((m) => m.role !== "system").map((m) => ({ role: m.role, content: m.content })),
      ...definedOnly({
        temperature: request.temperature,
        top_p: request.topP,
        stop_sequences: request.stop?.length ? request.stop : undefined,
      }),
      stream,
    };
  }
}

/**
 * Folds reported usage into what we know. Anthropic counts cached prompt tokens separately; they are added
 * back so inputTokens means the whole prompt, as with OpenAI. Stream usage is cumulative, so later wins.
 */
function addUsage(known: Usage | null, usage: z.infer<typeof usageWire> | null | undefined): Usage | null {
  if (!usage) return known;
  const input =
    usage.input_tokens == null
      ? null
      : usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  return {
    inputTokens: input ?? known?.inputTokens ?? 0,
    outputTokens: usage.output_tokens ?? known?.outputTokens ?? 0,
  };
}
