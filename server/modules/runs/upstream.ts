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

/** Streams from an upstream endpoint through our provider clients, in the engine's event shape. */
export async function* streamUpstream(
  target: UpstreamTarget,
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortSignal,
): AsyncGenerator<EngineEvent> {
  const provider: ChatProvider = createProvider({
    kind: target.provider,
    baseUrl: target.endpointBaseUrl,
    apiKey: target.apiKeyCiphertext ? decryptSecret(target.apiKeyCiphertext) : undefined,
  });
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
        device: `upstream:${new URL(target.endpointBaseUrl).host}`,
        ttftMs: delta.timing.ttftMs,
        tokensIn: delta.usage?.inputTokens ?? 0,
        tokensOut: delta.usage?.outputTokens ?? 0,
        durationMs: delta.timing.latencyMs,
        finishReason: delta.finishReason,
      };
  }
}
