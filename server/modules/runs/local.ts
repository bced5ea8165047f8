import { DomainError } from "@/server/errors";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";

/** Runs a stored ONNX artifact in-process (wired to the inference engine). */
export async function* streamLocal(
  _artifact: { sha256: string; manifest: unknown },
  _input: GenerationInput,
  _params: GenerationParams,
  _signal: AbortSignal,
): AsyncGenerator<EngineEvent> {
  throw new DomainError("UNAVAILABLE", "The local inference engine is not available yet");
}
