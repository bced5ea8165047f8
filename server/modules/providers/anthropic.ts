import type { EventSourceMessage } from "eventsource-parser";
import { z } from "zod";
import { StreamAccumulator } from "./accumulator";
import { nativeBodyOf, nativeRequest } from "./anthropic-chat/native";
import { toMessagesRequest } from "./anthropic-chat/request";
import { finishReasonOf, toChatCompletion, usageOf } from "./anthropic-chat/response";
import { ChunkTranslator } from "./anthropic-chat/stream";
import {
  type AnthropicUsage,
  messageWire as chatMessageWire,
  streamEventWire,
  TRANSLATED_EVENTS,
  usageWire,
} from "./anthropic-chat/wire";
import { ProviderError, upstreamMessage } from "./errors";
import { definedOnly, parseEventJson, parseWire, UpstreamHttp } from "./http";
import { chatRequestSchema } from "./schemas";
import type { CallOptions, ChatDelta, ChatProvider, ChatRequest, ChatResult, FinishReason, Usage } from "./types";
import { validate } from "./validate";

type ChatBody = { model: string; [field: string]: unknown };

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

/** The text-only calls' finish reason: "other" for a stop reason they do not know (the translation says "stop"). */
function mapAnthropicStopReason(raw: string | null): FinishReason {
  return raw !== null && KNOWN_STOP_REASONS.has(raw) ? finishReasonOf(raw) : "other";
}
const KNOWN_STOP_REASONS = new Set([
  "end_turn",
  "stop_sequence",
  "max_tokens",
  "model_context_window_exceeded",
  "tool_use",
  "refusal",
]);

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
      const payload = this.eventPayload(event, HANDLED);
      if (!payload) continue;
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

  /**
   * Chat Completions translated: `body` (its `model` the upstream's) goes out as a Messages API request, and the
   * answer comes back in `response` as the chat.completion an OpenAI-compatible upstream would have sent. A body
   * carrying `NATIVE_ANTHROPIC_BODY` sends that instead. Untranslatable fields reject (VALIDATION) before sending.
   */
  async chatBody(body: ChatBody, opts?: CallOptions): Promise<ChatResult> {
    const request = this.messagesRequest(body, false);
    const acc = new StreamAccumulator(body.model);
    const json = await this.http.postJson("/v1/messages", request, opts);
    const message = parseWire(chatMessageWire, json, this.http.host);
    const response = toChatCompletion(message, body.model, nowSeconds());
    const choice = (response.choices as { message: { content: string | null } }[])[0];
    acc.id = message.id ?? null;
    acc.model = response.model as string;
    acc.text(choice.message.content);
    acc.rawFinishReason = message.stop_reason ?? null;
    acc.usage = usageOf(message.usage);
    const result = acc.result(finishReasonOf);
    result.timing.ttftMs = null;
    result.response = response;
    return result;
  }

  /**
   * `chatBody` streamed: each Messages API event becomes the chat.completion.chunk objects OpenAI would send, as
   * text deltas carrying them in `chunk` (`toolCall` when they hold tool-call deltas); the usage chunk comes when
   * `stream_options.include_usage` asks. Untranslatable fields throw (VALIDATION) here, synchronously.
   */
  streamChatBody(body: ChatBody, opts?: CallOptions): AsyncIterable<ChatDelta> {
    const request = this.messagesRequest(body, true);
    const options = body.stream_options as { include_usage?: unknown } | null | undefined;
    return this.translatedStream(request, body.model, options?.include_usage === true, opts);
  }

  private messagesRequest(body: ChatBody, stream: boolean): Record<string, unknown> {
    const native = nativeBodyOf(body);
    return native ? nativeRequest(body, native, stream) : toMessagesRequest(body, this.defaultMaxTokens, stream);
  }

  private async *translatedStream(
    request: Record<string, unknown>,
    model: string,
    includeUsage: boolean,
    opts?: CallOptions,
  ): AsyncGenerator<ChatDelta> {
    const acc = new StreamAccumulator(model);
    const translator = new ChunkTranslator(model, nowSeconds(), includeUsage);
    for await (const message of this.http.postSse("/v1/messages", request, opts)) {
      const payload = this.eventPayload(message, TRANSLATED_EVENTS);
      if (!payload) continue;
      const event = parseWire(streamEventWire, payload, this.http.host);
      for (const { chunk, text, toolCall } of translator.translate(event)) {
        acc.text(text);
        yield { type: "text", text, chunk, toolCall };
      }
      if (event.type === "message_stop") {
        acc.id = translator.id;
        acc.model = translator.model;
        acc.rawFinishReason = translator.stopReason;
        acc.usage = usageOf(translator.usage);
        yield acc.done(finishReasonOf);
        return;
      }
    }
    throw new ProviderError("UPSTREAM", `upstream ${this.http.host} closed the stream before message_stop`, {
      retryable: true,
    });
  }

  /** An event's JSON when its type is one of `handled` (null otherwise); an `error` event throws. */
  private eventPayload(event: EventSourceMessage, handled: Set<string>): { type: string } | null {
    if (event.event && !handled.has(event.event)) return null;
    const payload = parseEventJson(event.data, this.http.host) as { type?: unknown } | null;
    const type = event.event ?? payload?.type;
    if (typeof type !== "string" || !handled.has(type)) return null;
    if (type === "error") {
      const overloaded = /overloaded/.test(event.data);
      const message = upstreamMessage(event.data) ?? "unknown error";
      throw new ProviderError("UPSTREAM", `upstream ${this.http.host} reported an error mid-stream: ${message}`, {
        retryable: overloaded,
      });
    }
    return payload as { type: string };
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
function addUsage(known: Usage | null, usage: AnthropicUsage | null | undefined): Usage | null {
  if (!usage) return known;
  const fresh = usageOf(usage);
  if (usage.input_tokens == null && known) {
    fresh.inputTokens = known.inputTokens;
    if (known.cachedInputTokens !== undefined) fresh.cachedInputTokens = known.cachedInputTokens;
    if (known.cacheWriteInputTokens !== undefined) fresh.cacheWriteInputTokens = known.cacheWriteInputTokens;
  }
  if (usage.output_tokens == null) fresh.outputTokens = known?.outputTokens ?? 0;
  return fresh;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
