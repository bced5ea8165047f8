import type { AbortLike } from "@/server/abort";
import { decryptSecret } from "@/server/crypto/secrets";
import type { GenerationParams } from "@/server/modules/models/schemas";
import { type ChatProvider, type ChatResult, createProvider } from "@/server/modules/providers";
import { upstreamSettings } from "@/server/modules/providers/config";
import type { Requester } from "@/server/modules/providers/hops";
import type { GenerationInput } from "@/server/modules/runs/schemas";

export interface UpstreamTarget {
  provider: "openai-compatible" | "anthropic";
  endpointBaseUrl: string;
  upstreamModelId: string;
  apiKeyCiphertext: string | null;
}

export type EngineEvent =
  | {
      type: "text";
      text: string;
      /** A pass-through stream's upstream chunk, as it came (`text` is its first choice's), and whether it carries tool calls. */
      chunk?: Record<string, unknown>;
      toolCall?: boolean;
    }
  | {
      type: "done";
      device: string;
      ttftMs: number | null;
      tokensIn: number;
      tokensOut: number;
      /** Of tokensIn, those read from / written to the provider's prompt cache; of tokensOut, reasoning (when reported). */
      cachedTokens?: number;
      cacheWriteTokens?: number;
      reasoningTokens?: number;
      durationMs: number;
      finishReason: string;
      /** When the engine measured these itself (decode speed excludes prefill). */
      tpotMs?: number;
      tokensPerSecond?: number;
      /** A pass-through call's whole upstream answer, as it came. */
      response?: Record<string, unknown>;
    };

/**
 * Provider clients per (kind, endpoint, key ciphertext): building one validates its config and decrypts the
 * key, which the gateway should not pay per request. A rotated key is a new ciphertext, so a new entry.
 */
const providers = new Map<string, ChatProvider>();
const MAX_PROVIDERS = 1_000;

function providerFor(target: UpstreamTarget): ChatProvider {
  const key = `${target.provider}\u0000${target.endpointBaseUrl}\u0000${target.apiKeyCiphertext ?? ""}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = createProvider({
      kind: target.provider,
      baseUrl: target.endpointBaseUrl,
      apiKey: target.apiKeyCiphertext ? decryptSecret(target.apiKeyCiphertext) : undefined,
    });
    if (providers.size >= MAX_PROVIDERS) providers.clear();
    providers.set(key, provider);
  }
  return provider;
}

/**
 * A non-streamed upstream call gets SWITCHYARD_UPSTREAM_TIMEOUT_S (300 s) for its whole answer: it has no first
 * token to time out on, and a long generation must not fail for being long; but it holds one of its project's
 * connections to the upstream all that time, so not the OpenAI SDK's 10 minutes.
 */
const wholeAnswerTimeoutMs = () => upstreamSettings().wholeAnswerTimeoutMs;

/**
 * Streams from an upstream endpoint through our provider clients, in the engine's event shape. With `whole`, the
 * upstream is called without streaming (as a non-streaming client asked: one JSON answer, no SSE to parse, about
 * a third less CPU per call in the gateway) and the answer comes as one text event and the done event, whose
 * `ttftMs` is null: nothing measured a first token.
 */
export async function* streamUpstream(
  target: UpstreamTarget,
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortLike,
  /**
   * `body`: a Chat Completions body to send as is (an OpenAI-compatible upstream's pass-through); `requester`:
   * whose share of the upstream's connections the call takes, and the hops its request came through.
   */
  options: { whole?: boolean; body?: Record<string, unknown> | null; requester?: Requester } = {},
): AsyncGenerator<EngineEvent> {
  const provider = providerFor(target);
  const { requester } = options;
  if (options.body && provider.chatBody && provider.streamChatBody) {
    const body = options.body as { model: string };
    yield* passThrough(provider, target, body, { signal, requester }, options.whole === true);
    return;
  }
  const sampling = {
    model: target.upstreamModelId,
    temperature: params.temperature,
    topP: params.topP,
    maxTokens: params.maxTokens,
    stop: params.stop,
    seed: params.seed,
  };
  const device = `upstream:${hostOf(target.endpointBaseUrl)}`;
  if (options.whole) {
    const opts = { signal, requester, timeoutMs: wholeAnswerTimeoutMs() };
    const result = await ("messages" in input
      ? provider.chat({ messages: input.messages, ...sampling }, opts)
      : provider.complete
        ? provider.complete({ prompt: input.prompt, ...sampling }, opts)
        : provider.chat({ messages: [{ role: "user", content: input.prompt }], ...sampling }, opts));
    if (result.text) yield { type: "text", text: result.text };
    yield doneEvent(device, result);
    return;
  }
  const opts = { signal, requester };
  const stream =
    "messages" in input
      ? provider.streamChat({ messages: input.messages, ...sampling }, opts)
      : provider.streamComplete
        ? provider.streamComplete({ prompt: input.prompt, ...sampling }, opts)
        : provider.streamChat({ messages: [{ role: "user", content: input.prompt }], ...sampling }, opts);
  for await (const delta of stream) {
    if (delta.type === "text") yield delta;
    else yield doneEvent(device, delta);
  }
}

async function* passThrough(
  provider: ChatProvider,
  target: UpstreamTarget,
  body: { model: string },
  opts: { signal: AbortLike; requester?: Requester },
  whole: boolean,
): AsyncGenerator<EngineEvent> {
  const device = `upstream:${hostOf(target.endpointBaseUrl)}`;
  if (whole) {
    const result = await provider.chatBody!(body, { ...opts, timeoutMs: wholeAnswerTimeoutMs() });
    if (result.text) yield { type: "text", text: result.text };
    yield doneEvent(device, result);
    return;
  }
  for await (const delta of provider.streamChatBody!(body, opts)) {
    if (delta.type === "text") yield delta;
    else yield doneEvent(device, delta);
  }
}

function doneEvent(device: string, result: ChatResult): EngineEvent {
  return {
    type: "done",
    device,
    ttftMs: result.timing.ttftMs,
    tokensIn: result.usage?.inputTokens ?? 0,
    tokensOut: result.usage?.outputTokens ?? 0,
    cachedTokens: result.usage?.cachedInputTokens,
    cacheWriteTokens: result.usage?.cacheWriteInputTokens,
    reasoningTokens: result.usage?.reasoningTokens,
    durationMs: result.timing.latencyMs,
    finishReason: result.finishReason,
    response: result.response,
  };
}

const hosts = new Map<string, string>();
function hostOf(baseUrl: string): string {
  let host = hosts.get(baseUrl);
  if (host === undefined) {
    host = new URL(baseUrl).host;
    if (hosts.size >= MAX_PROVIDERS) hosts.clear();
    hosts.set(baseUrl, host);
  }
  return host;
}
