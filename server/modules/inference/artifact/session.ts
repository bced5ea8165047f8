import path from "node:path";
import type { InferenceSession } from "onnxruntime-node";
import { DomainError } from "@/server/errors";
import type { DeviceSelector } from "../devices";
import type { Device, TensorSpec } from "../types";

/** A session on the device the selector picks; a file onnxruntime cannot load is UNPROCESSABLE naming it. */
export async function openModelSession(
  selector: DeviceSelector,
  modelPath: string,
): Promise<{ session: InferenceSession; device: Device }> {
  try {
    return await selector.createSession(modelPath);
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    throw new DomainError(
      "UNPROCESSABLE",
      `${path.basename(modelPath)} could not be loaded by onnxruntime: ${message}`,
    );
  }
}

/** A session's inputs or outputs as JSON-serialisable specs (what inspection stores). */
export function specsOf(metadata: readonly InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, dims: [...m.shape] } : { name: m.name, type: "non-tensor", dims: [] },
  );
}
