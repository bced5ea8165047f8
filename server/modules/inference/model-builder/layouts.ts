import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { quantizeWeights, toExternalData } from "./external-data";
import { buildTestModel, type TestModelFiles, type TestModelOptions } from "./test-model";

/**
 * The test model written as the folders real exports come in, deterministically: a transformers.js-style
 * `onnx/` folder with several variants, onnxruntime-genai's `genai_config.json`, weights as external data,
 * configs that disagree about the context length. Every variant decodes the same greedy text.
 */

/** `fp32`: the graph as built; `fp16`: float16 KV cache; `quantized`: int8 weights behind DequantizeLinear. */
type LayoutVariant = "fp32" | "fp16" | "quantized";

export interface LayoutOptions extends TestModelOptions {
  /** Graphs at the top level (default) or under `onnx/`, as transformers.js folders have them. */
  folder?: "top" | "onnx";
  /** Files to write, named `model.onnx`, `model_fp16.onnx`, `model_quantized.onnx`. Default: ["fp32"]. */
  variants?: LayoutVariant[];
  /**
   * Weights as external data next to each file: `<file>_data` (optimum), or `<file>.data` (onnxruntime-genai's
   * builder) with `suffix: ".data"`; more files `_1`, `_2`, ... when files > 1.
   */
  externalData?: boolean | { files?: number; suffix?: "_data" | ".data" };
  /** Writes genai_config.json (onnxruntime-genai) naming the first variant's file as the decoder. */
  genaiConfig?: boolean;
  /** tokenizer_config's `model_max_length` (default: the context length). */
  tokenizerMaxLength?: number;
  /** Leave the context length out of config.json (real folders often lack it). */
  omitConfigContext?: boolean;
}

export interface LayoutFiles {
  /** Relative path -> what was written: every file of the folder. */
  written: string[];
  /** The relative path of each variant's decoder. */
  decoders: Record<string, string>;
  model: TestModelFiles;
}

const FILE_NAME: Record<LayoutVariant, string> = {
  fp32: "model.onnx",
  fp16: "model_fp16.onnx",
  quantized: "model_quantized.onnx",
};

function variantBytes(variant: LayoutVariant, options: TestModelOptions, fp32: TestModelFiles): Uint8Array {
  if (variant === "fp16") return buildTestModel({ ...options, cacheType: "float16" }).onnx;
  if (variant === "quantized") return quantizeWeights(fp32.onnx);
  return fp32.onnx;
}

/** Writes the layout into `dir`; returns what it wrote. */
export async function writeModelLayout(dir: string, options: LayoutOptions = {}): Promise<LayoutFiles> {
  const {
    folder,
    variants = ["fp32"],
    externalData,
    genaiConfig,
    tokenizerMaxLength,
    omitConfigContext,
    ...build
  } = options;
  if (build.useCacheBranch)
    throw new Error("layouts write model*.onnx files; build merged decoders with writeTestModel");
  const model = buildTestModel(build);
  const written: string[] = [];
  const decoders: Record<string, string> = {};
  const put = async (relative: string, bytes: Uint8Array | string) => {
    const target = path.join(dir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, bytes);
    written.push(relative);
  };
  for (const variant of variants) {
    const relative = folder === "onnx" ? `onnx/${FILE_NAME[variant]}` : FILE_NAME[variant];
    let bytes = variantBytes(variant, build, model);
    if (externalData) {
      const { files = 1, suffix = "_data" } = typeof externalData === "object" ? externalData : {};
      const moved = toExternalData(bytes, { location: `${path.posix.basename(relative)}${suffix}`, files });
      bytes = moved.onnx;
      for (const [name, data] of moved.data) await put(path.posix.join(path.posix.dirname(relative), name), data);
    }
    await put(relative, bytes);
    decoders[variant] = relative;
  }

  const json = structuredClone(model.json) as Record<string, Record<string, unknown>>;
  if (tokenizerMaxLength) json["tokenizer_config.json"].model_max_length = tokenizerMaxLength;
  if (omitConfigContext) delete json["config.json"].n_positions;
  if (genaiConfig) json["genai_config.json"] = genaiConfigOf(model, decoders[variants[0]]);
  for (const [name, value] of Object.entries(json)) await put(name, `${JSON.stringify(value, null, 2)}\n`);
  return { written: written.sort(), decoders, model };
}

/** onnxruntime-genai's model builder config for the test model (the fields its runtime reads). */
function genaiConfigOf(model: TestModelFiles, decoderFile: string) {
  const { dimensions: d, eosTokenIds } = model;
  const [imEnd, endoftext] = eosTokenIds;
  return {
    model: {
      bos_token_id: endoftext,
      context_length: d.positions,
      decoder: {
        filename: decoderFile,
        head_size: d.hidden / d.heads,
        hidden_size: d.hidden,
        inputs: { input_ids: "input_ids", attention_mask: "attention_mask", position_ids: "position_ids" },
        outputs: { logits: "logits" },
        num_attention_heads: d.heads,
        num_hidden_layers: d.layers,
        num_key_value_heads: d.heads,
        session_options: { provider_options: [] },
      },
      eos_token_id: [imEnd, endoftext],
      pad_token_id: endoftext,
      type: "gpt2",
      vocab_size: d.vocab,
    },
    search: { do_sample: false, max_length: d.positions, num_beams: 1, past_present_share_buffer: false },
  };
}
