import type { AbortLike } from "@/server/abort";
import type { Manifest } from "@/server/modules/artifacts/blob-store";
import { artifactStore } from "@/server/modules/artifacts/store";
import { getInferenceEngine } from "@/server/modules/inference/engine";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";

/**
 * Runs a stored ONNX artifact in-process: the artifact's files are
 * materialized once into a folder, the engine loads it once (keyed by the
 * artifact's hash) and queues requests per model.
 */
export async function* streamLocal(
  artifact: { sha256: string; manifest: unknown },
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortLike,
  /**
   * The version's pick among the folder's decoders, the model's registry context length, and the registry name
   * (`model@version`) health and the console show for the loaded model.
   */
  options: { variant?: string | null; contextLength?: number | null; name?: string } = {},
): AsyncGenerator<EngineEvent> {
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  const engine = getInferenceEngine();
  const events = engine.generate(
    {
      dir,
      key: artifact.sha256,
      name: options.name ?? `artifact ${artifact.sha256.slice(0, 12)}`,
      variant: options.variant,
      contextLength: options.contextLength,
    },
    { ...input, ...params, signal },
  );
  for await (const event of events) {
    if (event.type === "delta") {
      yield { type: "text", text: event.text };
      continue;
    }
    yield {
      type: "done",
      device: event.stats.device,
      ttftMs: event.stats.ttftMs,
      tokensIn: event.stats.tokensIn,
      tokensOut: event.stats.tokensOut,
      durationMs: event.stats.totalMs,
      finishReason: event.stats.finishReason,
      tpotMs: event.stats.tpotMs,
      tokensPerSecond: event.stats.tokensPerSecond,
    };
  }
}
