import { decryptSecret } from "@/server/crypto/secrets";
import type { GenerationParams } from "@/server/modules/models/schemas";
import { type ChatProvider, createProvider } from "@/server/modules/providers";
import type { GenerationInput } from "@/server/modules/runs/schemas";

export interface UpstreamTarget {
  provider: "openai-compatible" | "anthropic";
  endpointBaseUrl: string;
  upstreamModelId: string;
  apiKeyCiphertext: string | null;
}

export type EngineEvent =
  | { type: "text"; text: string }
  | {
      type: "done";
      device: string;
      ttftMs: number | null;
      tokensIn: number;
      tokensOut: number;
      durationMs: number;
      finishReason: string;
      /** When the engine measured these itself (decode speed excludes prefill). */
      tpotMs?: number;
      tokensPerSecond?: number;
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

/** Streams from an upstream endpoint through our provider clients, in the engine's event shape. */
export async function* streamUpstream(
  target: UpstreamTarget,
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortSignal,
): AsyncGenerator<EngineEvent> {
  const provider = providerFor(target);
  const sampling = {
    model: target.upstreamModelId,
    temperature: params.temperature,
    topP: params.topP,
    maxTokens: params.maxTokens,
    stop: params.stop,
    seed: params.seed,
  };
  const stream =
    "messages" in input
      ? provider.streamChat({ ...sampling, messages: input.messages }, { signal })
      : provider.streamComplete
        ? provider.streamComplete({ ...sampling, prompt: input.prompt }, { signal })
        : provider.streamChat({ ...sampling, messages: [{ role: "user", content: input.prompt }] }, { signal });
  for await (const delta of stream) {
    if (delta.type === "text") yield delta;
    else
      yield {
        type: "done",
        device: `upstream:${hostOf(target.endpointBaseUrl)}`,
        ttftMs: delta.timing.ttftMs,
        tokensIn: delta.usage?.inputTokens ?? 0,
        tokensOut: delta.usage?.outputTokens ?? 0,
        durationMs: delta.timing.latencyMs,
        finishReason: delta.finishReason,
      };
  }
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
