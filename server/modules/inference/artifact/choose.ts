import path from "node:path";
import { DomainError } from "@/server/errors";
import type { Device } from "../types";

/** One decoder file of a folder and its variant name (`fp32`, `q4`, `fp16`, ... or the file when names clash). */
export interface VariantCandidate {
  name: string;
  file: string;
}

/**
 * The suffixes transformers.js-style `onnx/` folders use for quantised copies of a graph
 * (`model_q4f16.onnx`, `decoder_model_merged_quantized.onnx`). No suffix means fp32.
 */
const KNOWN_TAGS = ["q4f16", "q4", "fp16", "bnb4", "int8", "uint8", "quantized", "q8", "fp32"] as const;

/** `onnx/model_q4.onnx` -> { base: "model", tag: "q4" }; `decoder.onnx` -> { base: "decoder", tag: "fp32" }. */
export function variantTag(file: string): { base: string; tag: string } {
  const stem = path.posix.basename(file).replace(/\.onnx$/, "");
  for (const tag of KNOWN_TAGS) if (stem.endsWith(`_${tag}`)) return { base: stem.slice(0, -tag.length - 1), tag };
  return { base: stem, tag: "fp32" };
}

// Which file of one variant runs when a folder has several bases (a merged decoder needs no second session).
const BASE_ORDER = ["decoder_model_merged", "model", "decoder_model", "decoder", "decoder_with_past_model", "past"];
const baseRank = (base: string) => (BASE_ORDER.includes(base) ? BASE_ORDER.indexOf(base) : BASE_ORDER.length);
const depth = (file: string) => file.split("/").length;

/**
 * Names a folder's decoder files: one candidate per variant tag (the best base of that tag, top level before
 * `onnx/`); a file that loses its tag to a better one stays choosable under its own path.
 */
export function nameVariants(files: readonly string[]): VariantCandidate[] {
  const sorted = [...files].sort((a, b) => {
    const [ta, tb] = [variantTag(a), variantTag(b)];
    const plain = (tag: string) => (tag === "fp32" ? 0 : 1);
    return (
      baseRank(ta.base) - baseRank(tb.base) ||
      depth(a) - depth(b) ||
      plain(ta.tag) - plain(tb.tag) ||
      a.localeCompare(b)
    );
  });
  const out: VariantCandidate[] = [];
  for (const file of sorted) {
    const { tag } = variantTag(file);
    out.push({ name: out.some((c) => c.name === tag) ? file : tag, file });
  }
  return out;
}

/**
 * Defaults by device: half precision where a GPU runs it natively; on CPU the quantised copies first
 * (they fit the memory budget and run faster there), then fp32; fp16 last (CPU kernels upcast it).
 */
const PREFERENCE: Record<"gpu" | "cpu", readonly string[]> = {
  gpu: ["fp16", "q4f16", "fp32", "quantized", "int8", "uint8", "q8", "q4", "bnb4"],
  cpu: ["q4", "quantized", "int8", "uint8", "q8", "bnb4", "fp32", "fp16", "q4f16"],
};

/**
 * The variant to run: the requested one (a variant name, a file path or a file's base name), else the first
 * of the device's preference order, else the first candidate. A requested variant the folder lacks is a
 * VALIDATION error naming the ones it has.
 */
export function pickVariant(
  candidates: readonly VariantCandidate[],
  device: Device,
  requested?: string | null,
): VariantCandidate {
  if (candidates.length === 0) throw new DomainError("UNPROCESSABLE", "the folder has no decoder graph");
  if (requested) {
    const found = candidates.find(
      (c) => c.name === requested || c.file === requested || path.posix.basename(c.file) === requested,
    );
    if (found) return found;
    throw new DomainError(
      "VALIDATION",
      `variant '${requested}' is not in this model folder; it has ${candidates.map((c) => `${c.name} (${c.file})`).join(", ")}`,
      [{ path: "onnxVariant", message: `Choose one of ${candidates.map((c) => c.name).join(", ")}` }],
    );
  }
  for (const tag of PREFERENCE[device === "cpu" ? "cpu" : "gpu"]) {
    const found = candidates.find((c) => c.name === tag);
    if (found) return found;
  }
  return candidates[0];
}

/** An artifact's decoders as inspection stored them; inspections from before variants had one: files.model. */
export function artifactVariants(info: {
  files: { model: string };
  variants?: VariantCandidate[];
}): VariantCandidate[] {
  return info.variants ?? [{ name: "fp32", file: info.files.model }];
}
