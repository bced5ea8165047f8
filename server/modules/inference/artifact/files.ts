import { access, stat } from "node:fs/promises";
import path from "node:path";

/** Where a model folder's decoder may be, in order of preference (Hugging Face exports use `onnx/`). */
const MODEL_FILES = ["model.onnx", "decoder_model_merged.onnx", "onnx/model.onnx", "onnx/decoder_model_merged.onnx"];

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The decoder's path relative to `dir`, or null. */
export async function findModelFile(dir: string): Promise<string | null> {
  for (const candidate of MODEL_FILES)
    if (await exists(path.join(/* turbopackIgnore: true */ dir, candidate))) return candidate;
  return null;
}

/** The decoder file plus its external data under the usual names: what to reserve before loading. */
export async function estimateModelSize(dir: string): Promise<number> {
  const file = await findModelFile(dir);
  if (!file) return 0;
  let total = 0;
  for (const name of [file, `${file}_data`, `${file}.data`]) {
    total += await stat(path.join(/* turbopackIgnore: true */ dir, name)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}
