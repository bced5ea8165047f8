import { access, readdir } from "node:fs/promises";
import path from "node:path";
import { DomainError } from "@/server/errors";
import type { Device } from "../types";
import { nameVariants, pickVariant, type VariantCandidate } from "./choose";
import { assertExternalData, type GraphRole, type OnnxFileFacts, readOnnxFacts } from "./onnx-file";

export async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The folder's `.onnx` files, top level and `onnx/` (Hugging Face and transformers.js layouts), as relative paths. */
async function listOnnxFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ["", "onnx"]) {
    const entries = await readdir(path.join(/* turbopackIgnore: true */ dir, sub), { withFileTypes: true }).catch(
      () => [],
    );
    for (const entry of entries)
      if (entry.isFile() && entry.name.endsWith(".onnx")) out.push(sub ? `${sub}/${entry.name}` : entry.name);
  }
  return out.sort();
}

export interface FolderGraphs {
  /** Decoders (logits for input_ids) by variant; the others by role. */
  decoders: VariantCandidate[];
  others: { file: string; role: GraphRole }[];
  facts: Map<string, OnnxFileFacts>;
  /** Files that are not valid ONNX, with the reason. */
  errors: DomainError[];
}

/** Reads every graph's inputs and outputs (never the weights) and sorts them by role. */
export async function readFolderGraphs(dir: string): Promise<FolderGraphs> {
  const facts = new Map<string, OnnxFileFacts>();
  const others: FolderGraphs["others"] = [];
  const errors: DomainError[] = [];
  for (const file of await listOnnxFiles(dir)) {
    try {
      const read = await readOnnxFacts(path.join(/* turbopackIgnore: true */ dir, file));
      facts.set(file, read);
      if (read.role !== "decoder") others.push({ file, role: read.role });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      errors.push(error);
    }
  }
  const decoders = nameVariants([...facts.keys()].filter((f) => facts.get(f)!.role === "decoder"));
  return { decoders, others, facts, errors };
}

/**
 * The decoder to run: `requested` (a variant name or file) when given, else genai_config's
 * `model.decoder.filename`, else the device's default (`pickVariant`). UNPROCESSABLE for an .onnx file that
 * is not valid ONNX or lacks its external data, and naming what the folder has when there is no decoder;
 * VALIDATION naming the variants when the requested one is not there.
 */
export function chooseDecoder(
  graphs: FolderGraphs,
  device: Device,
  requested?: string | null,
  genaiDecoder?: string | null,
): VariantCandidate {
  // Every .onnx file must be readable and complete: a folder is stored whole, so a broken part is refused now.
  if (graphs.errors.length > 0) throw graphs.errors[0];
  for (const [file, facts] of graphs.facts) assertExternalData(file, facts);
  if (graphs.decoders.length === 0) {
    const found = graphs.others.map((o) => `${o.file} (${o.role})`).join(", ");
    throw new DomainError(
      "UNPROCESSABLE",
      graphs.facts.size === 0
        ? "model.onnx is missing: no .onnx file at the top level or under onnx/"
        : `no decoder graph (an ONNX file with input_ids in and logits out) in the folder; found ${found}`,
    );
  }
  if (!requested && genaiDecoder) {
    const named = graphs.decoders.find((c) => c.file === path.posix.normalize(genaiDecoder));
    if (!named)
      throw new DomainError(
        "UNPROCESSABLE",
        `genai_config.json names the decoder '${genaiDecoder}', which is not a decoder graph in the folder`,
      );
    return named;
  }
  return pickVariant(graphs.decoders, device, requested);
}

/**
 * What to reserve before loading: the decoder that would run on `device` (the requested variant, else the
 * default) plus its external data. 0 when the folder has none (loading then says why).
 */
export async function estimateModelSize(dir: string, requested?: string | null, device: Device = "cpu") {
  const graphs = await readFolderGraphs(dir);
  if (graphs.decoders.length === 0) return 0;
  const chosen = pickVariant(graphs.decoders, device, requested);
  return graphs.facts.get(chosen.file)!.sizeBytes;
}
