import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildDecoderGraph, type GraphVariant } from "./gpt2-graph";
import { encodeModel } from "./graph-builder";
import { successorTable } from "./pattern";
import { buildVocabulary, tokenizerConfig, tokenizerJson } from "./vocabulary";
import { buildWeights, type Dimensions } from "./weights";

export interface TestModelOptions extends Partial<GraphVariant> {
  /** Defaults to `layerTypes.length` when that is given, else 2. */
  layers?: number;
  /** Residual width; at least 94 for the test vocabulary (two 35-wide token codes, positions, free dims). */
  hiddenSize?: number;
  heads?: number;
  /** Key/value heads (grouped-query attention when fewer than `heads`); defaults to `heads`. */
  kvHeads?: number;
  /** MLP width; at least the vocabulary size. */
  ffnSize?: number;
  contextLength?: number;
  /** Seeds the noise weights; the greedy pattern is the same for every seed. */
  seed?: number;
}

export interface TestModelFiles {
  /** `model.onnx`, or `decoder_model_merged.onnx` when `useCacheBranch`. */
  modelFileName: string;
  onnx: Uint8Array;
  json: Record<"tokenizer.json" | "tokenizer_config.json" | "config.json" | "generation_config.json", unknown>;
  variant: GraphVariant;
  dimensions: Dimensions;
  eosTokenIds: number[];
}

/** The tests' default: small, every feature on (per-layer fp32 cache, int64 ids, position_ids). */
const TEST_MODEL_DEFAULTS = { layers: 2, hiddenSize: 96, heads: 4, contextLength: 512, seed: 1 } as const;

/** A bigger variant for the benchmark (about 10 M parameters), where per-token cost is mostly compute. */
export const BENCH_MODEL_OPTIONS: TestModelOptions = { layers: 6, hiddenSize: 384, heads: 6, ffnSize: 1536 };

/**
 * Builds a deterministic GPT-2-style ONNX causal LM and its tokenizer files in
 * memory (well under a second). See `pattern.ts` for what it says.
 */
export function buildTestModel(options: TestModelOptions = {}): TestModelFiles {
  const variant: GraphVariant = {
    idsType: options.idsType ?? "int64",
    cacheType: options.cacheType ?? "float32",
    cacheLayout: options.cacheLayout ?? "per-layer",
    kvCache: options.kvCache ?? true,
    positionIds: options.positionIds ?? true,
    useCacheBranch: options.useCacheBranch ?? false,
    convState: options.convState ?? false,
    cachePosition: options.cachePosition ?? false,
    tokenTypeIds: options.tokenTypeIds ?? false,
    logitsToKeep: options.logitsToKeep ?? null,
    layerTypes: options.layerTypes ?? null,
  };
  const layers = options.layers ?? variant.layerTypes?.length ?? TEST_MODEL_DEFAULTS.layers;
  if (variant.layerTypes && variant.layerTypes.length !== layers)
    throw new Error("layerTypes needs one entry per layer");
  const attentionLayers = variant.layerTypes ? variant.layerTypes.filter((t) => t === "attention").length : layers;
  if (variant.useCacheBranch && !(variant.kvCache && attentionLayers > 0)) {
    throw new Error("useCacheBranch needs kvCache and an attention layer");
  }
  const vocab = buildVocabulary();
  const hidden = options.hiddenSize ?? TEST_MODEL_DEFAULTS.hiddenSize;
  const heads = options.heads ?? TEST_MODEL_DEFAULTS.heads;
  const kvHeads = options.kvHeads ?? heads;
  if (hidden % heads !== 0) throw new Error("hiddenSize must be a multiple of heads");
  if (heads % kvHeads !== 0) throw new Error("heads must be a multiple of kvHeads");
  const dimensions: Dimensions = {
    vocab: vocab.tokens.length,
    hidden,
    heads,
    kvHeads,
    layers,
    ffn: options.ffnSize ?? Math.max(4 * hidden, vocab.tokens.length),
    positions: options.contextLength ?? TEST_MODEL_DEFAULTS.contextLength,
    convWidth: 4,
    ssmState: [2, 8],
  };
  const weights = buildWeights(dimensions, successorTable(vocab), options.seed ?? TEST_MODEL_DEFAULTS.seed);
  const onnx = encodeModel(buildDecoderGraph(dimensions, weights, variant), 17, "switchyard-test-model");
  const { endoftext, imEnd } = vocab.specialIds;
  const eosTokenIds = [imEnd, endoftext];
  const config = {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: dimensions.vocab,
    n_positions: dimensions.positions,
    n_embd: hidden,
    n_layer: dimensions.layers,
    n_head: heads,
    num_key_value_heads: kvHeads,
    ...(variant.layerTypes ? { layer_types: variant.layerTypes } : {}),
    n_inner: dimensions.ffn,
    activation_function: "gelu",
    bos_token_id: endoftext,
    eos_token_id: imEnd,
    use_cache: variant.kvCache,
    torch_dtype: variant.cacheType,
    switchyard_test_model: { ...variant, convWidth: dimensions.convWidth, ssmState: dimensions.ssmState },
  };
  return {
    modelFileName: variant.useCacheBranch ? "decoder_model_merged.onnx" : "model.onnx",
    onnx,
    json: {
      "tokenizer.json": tokenizerJson(vocab),
      "tokenizer_config.json": tokenizerConfig(vocab, dimensions.positions),
      "config.json": config,
      "generation_config.json": { bos_token_id: endoftext, eos_token_id: eosTokenIds, pad_token_id: endoftext },
    },
    variant,
    dimensions,
    eosTokenIds,
  };
}

/** Builds the test model and writes it as a model folder (the layout a Hugging Face ONNX export has). */
export async function writeTestModel(dir: string, options: TestModelOptions = {}): Promise<TestModelFiles> {
  const files = buildTestModel(options);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, files.modelFileName), files.onnx);
  for (const [name, value] of Object.entries(files.json)) {
    await writeFile(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }
  return files;
}
