import { readdir } from "node:fs/promises";
import path from "node:path";

/**
 * Which files of a model folder we keep, by pattern (real exports name their files freely: `model_q4.onnx`,
 * `model.onnx_data_1`, `genai_config.json`): graphs and their external data at the top level or under
 * `onnx/`, the configs, tokenizer files and chat templates at the top level. Anything else is ignored.
 */
const GRAPH = /^[A-Za-z0-9][A-Za-z0-9._-]*\.onnx$/;
/** External data: `*.onnx_data`, `*.onnx_data_1`, `*.onnx.data`, `*.onnx.data_1`. */
const EXTERNAL_DATA = /^[A-Za-z0-9][A-Za-z0-9._-]*(\.onnx_data|\.onnx\.data)(_\d+)?$/;
const TOP_LEVEL = new Set([
  "tokenizer.json",
  "tokenizer_config.json",
  "config.json",
  "generation_config.json",
  "genai_config.json",
  "special_tokens_map.json",
  "added_tokens.json",
  "preprocessor_config.json",
  "chat_template.jinja",
  "chat_template.json",
  "vocab.json",
  "merges.txt",
  "tokenizer.model",
  // sentence-transformers' pipeline of an encoder (embeddings): its modules, max length, pooling.
  "modules.json",
  "sentence_bert_config.json",
]);
const SUBFOLDER = "onnx";
/** The one file kept in another subfolder: sentence-transformers' pooling config. */
const POOLING_CONFIG = "1_Pooling/config.json";

/** Names for the error message when nothing was kept. */
export const ARTIFACT_FILE_HINT =
  "*.onnx (top level or onnx/) with their external data (*.onnx_data*, *.onnx.data*), tokenizer.json, tokenizer_config.json, config.json, generation_config.json, genai_config.json, chat_template.*, modules.json, 1_Pooling/config.json";

/** Whether a folder-relative path ("model.onnx", "onnx/model_q4.onnx") is a file we keep. */
export function isArtifactFile(relative: string): boolean {
  const parts = relative.split("/");
  if (parts.length > 2 || parts.some((p) => p === "" || p === "." || p === "..")) return false;
  if (relative === POOLING_CONFIG) return true;
  const [first, name] = parts.length === 2 ? parts : [null, parts[0]];
  const weights = GRAPH.test(name) || EXTERNAL_DATA.test(name);
  if (first === null) return weights || TOP_LEVEL.has(name);
  return first === SUBFOLDER && weights;
}

/**
 * Where an uploaded part goes in the folder. Browsers send a folder upload's files as
 * `folder/onnx/model.onnx`: the base name counts, plus `onnx/` when that is its parent folder. Nothing
 * else of the client's path is used, so no name can lead outside the folder. Null: not a file we keep.
 */
export function artifactPathOf(clientName: string): string | null {
  const parts = clientName.replaceAll("\\", "/").split("/").filter(Boolean);
  const name = parts.at(-1);
  if (!name) return null;
  const parent = parts.at(-2);
  const relative =
    parent === SUBFOLDER
      ? `${SUBFOLDER}/${name}`
      : parent === "1_Pooling" && name === "config.json"
        ? POOLING_CONFIG
        : name;
  return isArtifactFile(relative) ? relative : null;
}

/** The kept files of a folder on disk (top level and `onnx/`), as sorted folder-relative paths. */
export async function keptFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ["", SUBFOLDER, path.dirname(POOLING_CONFIG)]) {
    const names = await readdir(path.join(/* turbopackIgnore: true */ dir, sub)).catch(() => [] as string[]);
    for (const name of names) {
      const relative = sub ? `${sub}/${name}` : name;
      if (isArtifactFile(relative)) out.push(relative);
    }
  }
  return out.sort();
}
