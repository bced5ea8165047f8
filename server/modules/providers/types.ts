import type { AbortLike } from "@/server/abort";
import type { Requester } from "./hops";
import type { ChatRequest, CompletionRequest } from "./schemas";

export type { ChatRequest, CompletionRequest } from "./schemas";

/** Why generation stopped, in OpenAI's vocabulary (the gateway speaks it); the upstream's word is in `rawFinishReason`. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "other";

export interface Usage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, those read from the provider's prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  cachedInputTokens?: number;
  /** Of inputTokens, those written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteInputTokens?: number;
  /** Of outputTokens, reasoning tokens (OpenAI `completion_tokens_details.reasoning_tokens`). */
  reasoningTokens?: number;
}

interface Timing {
  /** From just before the request was sent to the end of the response. */
  latencyMs: number;
  /** From just before the request was sent to the first non-empty text delta; null when not streamed or no text. */
  ttftMs: number | null;
}

export interface ChatResult {
  /** The upstream's response id, when it sent one. */
  id: string | null;
  /** The model the upstream says answered (falls back to the requested one). */
  model: string;
  text: string;
  finishReason: FinishReason;
  rawFinishReason: string | null;
  /** Null when the upstream reported no usage (some OpenAI-compatible servers). */
  usage: Usage | null;
  timing: Timing;
  /** A pass-through call (`chatBody`): the upstream's JSON answer, as it came. */
  response?: Record<string, unknown>;
}

/** A legacy (`/v1/completions`) result has the same shape as a chat result. */
export type CompletionResult = ChatResult;

/**
 * What a stream yields: text deltas in order, then exactly one `done` item carrying the whole result
 * (the concatenated text, usage, finish reason, timing). A stream that ends without `done` threw.
 */
export type ChatDelta = TextDelta | ({ type: "done" } & ChatResult);

interface TextDelta {
  type: "text";
  text: string;
  /** Pass-through streams (`streamChatBody`): the upstream's chunk as it came (`text` is its first choice's), and whether it carries tool-call deltas. */
  chunk?: Record<string, unknown>;
  toolCall?: boolean;
}

export interface CallOptions {
  /** The caller's cancel: aborting it stops the request and rejects with ProviderAbortError. */
  signal?: AbortLike;
  /** Non-streaming: the whole call. Streaming: until the response headers arrive. Defaults to the provider's (60 s). */
  timeoutMs?: number;
  /** Streaming only: the longest silence allowed between body chunks (pings count). Defaults to the provider's (30 s). */
  idleTimeoutMs?: number;
  /** Whose share of the upstream's connections the call takes, and the hops its request came through (`hops.ts`). */
  requester?: Requester;
}

/**
 * An upstream LLM endpoint. Failures reject with ProviderError (a DomainError) or, when the caller's signal
 * aborted, ProviderAbortError. Streams send nothing until first iterated; breaking out of the loop closes
 * the upstream connection.
 */
export interface ChatProvider {
  readonly kind: "openai-compatible" | "anthropic";
  chat(req: ChatRequest, opts?: CallOptions): Promise<ChatResult>;
  streamChat(req: ChatRequest, opts?: CallOptions): AsyncIterable<ChatDelta>;
  /** Legacy text completions, where the upstream has them (OpenAI-compatible servers). */
  complete?(req: CompletionRequest, opts?: CallOptions): Promise<CompletionResult>;
  streamComplete?(req: CompletionRequest, opts?: CallOptions): AsyncIterable<ChatDelta>;
  /** The request body as the upstream reads it, sent as is (OpenAI-compatible servers: a pass-through). */
  chatBody?(body: { model: string; [field: string]: unknown }, opts?: CallOptions): Promise<ChatResult>;
  streamChatBody?(body: { model: string; [field: string]: unknown }, opts?: CallOptions): AsyncIterable<ChatDelta>;
}

/**
 * On a Chat Completions body translated from an Anthropic Messages request (`/v1/messages`): that request as the
 * client sent it. Toward an Anthropic upstream, when the messages went through unchanged, it is sent natively
 * (fields Chat Completions cannot express — top_k, thinking, cache_control — kept) rather than translated back.
 * A symbol, so `for…in` copies and JSON never carry it anywhere else.
 */
export const NATIVE_ANTHROPIC_BODY = Symbol.for("switchyard.nativeAnthropicBody");
