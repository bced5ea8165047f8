import type { proto } from "../onnx-proto";
import { type ElemType, GraphBuilder, valueInfo } from "./graph-builder";
import { convBlock, ssmBlock } from "./mixers";
import type { Dimensions, Weights } from "./weights";

/** What a layer mixes tokens with: attention (KV cache), an LFM2 short conv (`past_conv.N`), or Mamba (conv + `past_ssm.N`). */
export type LayerType = "attention" | "conv" | "mamba";

/** Which I/O shape the exported decoder has: every variant the engine must understand. */
export interface GraphVariant {
  idsType: "int64" | "int32";
  cacheType: "float32" | "float16";
  /** `past_key_values.N.key/value` (optimum) or one `past_N` [2, batch, heads, past, head] (older ORT GPT-2). */
  cacheLayout: "per-layer" | "combined";
  kvCache: boolean;
  positionIds: boolean;
  /** Merged decoder: a bool `use_cache_branch` input selects whether the past is used. */
  useCacheBranch: boolean;
  /** A depthwise causal conv on every layer besides attention, its last inputs carried as `past_conv.N`. */
  convState: boolean;
  /** `cache_position` int64 [sequence]: the model takes its query positions from it (transformers exports). */
  cachePosition: boolean;
  /** `token_type_ids` [batch, sequence], looked up in a table whose row 0 is zeros. */
  tokenTypeIds: boolean;
  /** An int64 scalar input: the model returns the logits of only that many last positions (0: all). */
  logitsToKeep: "logits_to_keep" | "num_logits_to_keep" | null;
  /** Per-layer mixer, e.g. LFM2's ["conv", "attention", "conv", "attention"]; null: attention everywhere. */
  layerTypes: LayerType[] | null;
}

const B = "batch_size";
const S = "sequence_length";
const P = "past_sequence_length";
const T = "total_sequence_length";
const INT64_MAX = Number.MAX_SAFE_INTEGER;

interface LayerPast {
  key?: string;
  value?: string;
  conv?: string;
  ssm?: string;
}

export function buildDecoderGraph(dims: Dimensions, weights: Weights, variant: GraphVariant): proto.IGraphProto {
  const g = new GraphBuilder();
  const { hidden: d, heads, kvHeads, layers, vocab, convWidth } = dims;
  const headSize = d / heads;
  const kvWidth = kvHeads * headSize;
  const cacheType: ElemType = variant.cacheType;
  const types = variant.layerTypes ?? new Array<LayerType>(layers).fill("attention");

  const inputIds = g.input("input_ids", variant.idsType, [B, S]);
  const attentionMask = g.input("attention_mask", variant.idsType, [B, T]);
  const positionIdsInput = variant.positionIds ? g.input("position_ids", variant.idsType, [B, S]) : null;
  const cachePosition = variant.cachePosition ? g.input("cache_position", "int64", [S]) : null;
  const tokenTypes = variant.tokenTypeIds ? g.input("token_type_ids", variant.idsType, [B, S]) : null;
  const logitsToKeep = variant.logitsToKeep ? g.input(variant.logitsToKeep, "int64", []) : null;

  // Past tensors as the graph receives them, then as each layer uses them.
  const past: LayerPast[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const p: LayerPast = {};
    if (variant.kvCache && types[layer] === "attention" && variant.cacheLayout === "per-layer") {
      p.key = g.input(`past_key_values.${layer}.key`, cacheType, [B, kvHeads, P, headSize]);
      p.value = g.input(`past_key_values.${layer}.value`, cacheType, [B, kvHeads, P, headSize]);
    } else if (variant.kvCache && types[layer] === "attention") {
      const combined = g.input(`past_${layer}`, cacheType, [2, B, kvHeads, P, headSize]);
      p.key = g.op("Gather", [combined, g.scalarInt(0)], { axis: 0 });
      p.value = g.op("Gather", [combined, g.scalarInt(1)], { axis: 0 });
    }
    if (variant.convState || types[layer] !== "attention") {
      p.conv = g.input(`past_conv.${layer}`, cacheType, [B, d, convWidth - 1]);
    }
    if (types[layer] === "mamba") p.ssm = g.input(`past_ssm.${layer}`, cacheType, [B, ...dims.ssmState]);
    past.push(p);
  }
  if (variant.useCacheBranch) {
    const useCache = g.input("use_cache_branch", "bool", [1]);
    const kv = past.flatMap((p) => [p.key, p.value].filter((n): n is string => !!n));
    const fixed = past.flatMap((p) => [p.conv, p.ssm].filter((n): n is string => !!n));
    const selected = selectPast(g, useCache, kv, fixed, cacheType);
    for (const p of past) {
      for (const part of ["key", "value", "conv", "ssm"] as const) {
        const name = p[part];
        if (name) p[part] = selected.get(name);
      }
    }
  }
  const toFloat = (name: string) => (cacheType === "float16" ? g.op("Cast", [name], { to: 1 }) : name);

  // Lengths: S from the ids, T from the mask, P = T - S (so a merged decoder's dummy past is ignored).
  const seqLen = g.op("Shape", [inputIds], { start: 1, end: 2 });
  const totalLen = g.op("Shape", [attentionMask], { start: 1, end: 2 });
  const axis0 = g.ints([1], [0]);
  const pastScalar = g.op("Squeeze", [g.op("Sub", [totalLen, seqLen]), axis0]);
  const totalScalar = g.op("Squeeze", [totalLen, axis0]);
  // Transformers exports take the query positions from cache_position: a wrong one misplaces every query.
  const queryPositions = cachePosition ?? g.op("Range", [pastScalar, totalScalar, g.scalarInt(1)]);

  const positions = positionIdsInput ?? g.op("Unsqueeze", [queryPositions, axis0]);
  const tokens = g.op("Gather", [g.floats("wte", [vocab, d], weights.tokenEmbedding), inputIds], { axis: 0 });
  const positionRows = g.op("Gather", [g.floats("wpe", [dims.positions, d], weights.positionEmbedding), positions], {
    axis: 0,
  });
  let x = g.op("Add", [tokens, positionRows]);
  if (tokenTypes) {
    // Row 0 (what the engine feeds) is zeros; row 1 is not, so another type would show.
    const table = Float32Array.from({ length: 2 * d }, (_, i) => (i < d ? 0 : 0.1 * Math.sin(i)));
    x = g.op("Add", [x, g.op("Gather", [g.floats("wtte", [2, d], table), tokenTypes], { axis: 0 })]);
  }

  // Causal mask [S, T] combined with the attention mask [B, 1, 1, T].
  const keyPositions = g.op("Range", [g.scalarInt(0), totalScalar, g.scalarInt(1)]);
  const causal = g.op("LessOrEqual", [
    g.op("Unsqueeze", [keyPositions, axis0]),
    g.op("Unsqueeze", [queryPositions, g.ints([1], [1])]),
  ]);
  const padding = g.op("Unsqueeze", [g.op("Cast", [attentionMask], { to: 9 }), g.ints([2], [1, 2])]);
  const allowed = g.op("And", [causal, padding]);
  const masked = g.scalarFloat(-1e9);
  const scale = g.scalarFloat(1 / Math.sqrt(headSize));
  const queryShape = g.ints([4], [0, 0, heads, headSize]);
  const kvShape = g.ints([4], [0, 0, kvHeads, headSize]);
  const mergedShape = g.ints([3], [0, 0, d]);
  // Grouped-query attention: each KV head serves heads / kvHeads query heads. The query heads of a group are
  // folded into its KV head's rows ([B, kvHeads, group * S, headSize]) so the cache is used as it is, never
  // expanded to every head: what GroupQueryAttention does, and at 8 rows of a long cache the copy an Expand
  // makes costs as much as the attention itself.
  const grouped = kvHeads !== heads;
  const [byKvHead, scoresByHead, scoresByKvHead, contextByHead] = grouped
    ? [
        g.ints([4], [0, kvHeads, -1, headSize]),
        g.ints([4], [0, heads, -1, 0]),
        g.ints([4], [0, kvHeads, -1, 0]),
        g.ints([4], [0, heads, -1, headSize]),
      ]
    : [];

  for (let layer = 0; layer < layers; layer++) {
    const w = weights.layers[layer];
    const name = (part: string) => `h.${layer}.${part}`;
    const p = past[layer];
    if (p.conv) {
      const kernel = g.floats(name("conv.weight"), [d, 1, convWidth], w.conv);
      const bias = g.floats(name("conv.bias"), [d], w.convBias);
      x = convBlock(
        g,
        x,
        { past: p.conv, present: `present_conv.${layer}`, type: cacheType },
        { kernel, bias },
        d,
        convWidth,
      );
    }
    if (p.ssm) {
      const size = dims.ssmState[0] * dims.ssmState[1];
      const into = g.floats(name("ssm.in_proj.weight"), [d, size], w.ssmIn);
      const out = g.floats(name("ssm.out_proj.weight"), [size, d], w.ssmOut);
      const io = { past: p.ssm, present: `present_ssm.${layer}`, type: cacheType };
      x = ssmBlock(g, x, io, { into, out }, seqLen, dims.ssmState);
    }

    if (types[layer] === "attention") {
      const normed = layerNorm(
        g,
        x,
        g.floats(name("ln_1.weight"), [d], w.ln1),
        g.floats(name("ln_1.bias"), [d], w.ln1Bias),
      );
      const qkv = g.op("Add", [
        g.op("MatMul", [normed, g.floats(name("attn.c_attn.weight"), [d, d + 2 * kvWidth], w.qkv)]),
        g.floats(name("attn.c_attn.bias"), [d + 2 * kvWidth], w.qkvBias),
      ]);
      const [qPart, kPart, vPart] = g.node("Split", [qkv, g.ints([3], [d, kvWidth, kvWidth])], { axis: 2 }, 3);
      const toHeads = (part: string, shape: string) =>
        g.op("Transpose", [g.op("Reshape", [part, shape])], { perm: [0, 2, 1, 3] });
      const q = toHeads(qPart, queryShape);
      let keys = toHeads(kPart, kvShape);
      let values = toHeads(vPart, kvShape);
      if (p.key && p.value) {
        const dims = [B, kvHeads, T, headSize];
        if (variant.cacheLayout === "per-layer" && cacheType === "float32") {
          // The Concat writes the present itself, as exporters' graphs do (an Identity would copy the cache).
          keys = g.op("Concat", [p.key, keys], { axis: 2 }, g.output(`present.${layer}.key`, cacheType, dims));
          values = g.op("Concat", [p.value, values], { axis: 2 }, g.output(`present.${layer}.value`, cacheType, dims));
        } else {
          keys = g.op("Concat", [toFloat(p.key), keys], { axis: 2 });
          values = g.op("Concat", [toFloat(p.value), values], { axis: 2 });
          writePresent(g, variant, layer, keys, values, dims);
        }
      }
      const transposedKeys = g.op("Transpose", [keys], { perm: [0, 1, 3, 2] });
      const rawScores = g.op("MatMul", [grouped ? g.op("Reshape", [q, byKvHead!]) : q, transposedKeys]);
      const scores = g.op("Mul", [grouped ? g.op("Reshape", [rawScores, scoresByHead!]) : rawScores, scale]);
      const probs = g.op("Softmax", [g.op("Where", [allowed, scores, masked])], { axis: -1 });
      const weighted = grouped
        ? g.op("Reshape", [g.op("MatMul", [g.op("Reshape", [probs, scoresByKvHead!]), values]), contextByHead!])
        : g.op("MatMul", [probs, values]);
      const context = g.op("Reshape", [g.op("Transpose", [weighted], { perm: [0, 2, 1, 3] }), mergedShape]);
      const attention = g.op("Add", [
        g.op("MatMul", [context, g.floats(name("attn.c_proj.weight"), [d, d], w.out)]),
        g.floats(name("attn.c_proj.bias"), [d], w.outBias),
      ]);
      x = g.op("Add", [x, attention]);
    }

    const normed2 = layerNorm(
      g,
      x,
      g.floats(name("ln_2.weight"), [d], w.ln2),
      g.floats(name("ln_2.bias"), [d], w.ln2Bias),
    );
    const up = g.op("Add", [
      g.op("MatMul", [normed2, g.floats(name("mlp.c_fc.weight"), [d, dims.ffn], w.up)]),
      g.floats(name("mlp.c_fc.bias"), [dims.ffn], w.upBias),
    ]);
    const down = g.op("Add", [
      g.op("MatMul", [gelu(g, up), g.floats(name("mlp.c_proj.weight"), [dims.ffn, d], w.down)]),
      g.floats(name("mlp.c_proj.bias"), [d], w.downBias),
    ]);
    x = g.op("Add", [x, down]);
  }

  let final = layerNorm(
    g,
    x,
    g.floats("ln_f.weight", [d], weights.lnFinal),
    g.floats("ln_f.bias", [d], weights.lnFinalBias),
  );
  if (logitsToKeep) {
    // The last k positions (k = 0: all of them, as transformers does).
    const start = g.op("Reshape", [g.op("Sub", [g.scalarInt(0), logitsToKeep]), g.ints([1], [1])]);
    final = g.op("Slice", [final, start, g.ints([1], [INT64_MAX]), g.ints([1], [1])]);
  }
  g.op("MatMul", [final, g.floats("lm_head.weight", [d, vocab], weights.lmHead)], {}, "logits");
  g.output("logits", "float32", [B, logitsToKeep ? "logits_length" : S, vocab]);
  return g.graph("switchyard-test-gpt2");
}

function layerNorm(g: GraphBuilder, x: string, weight: string, bias: string): string {
  return g.op("LayerNormalization", [x, weight, bias], { axis: -1, epsilon: { float: 1e-5 } });
}

/** Exact GELU: x * 0.5 * (1 + erf(x / sqrt 2)). */
function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op("Erf", [g.op("Div", [x, g.scalarFloat(Math.SQRT2)])]);
  return g.op("Mul", [g.op("Mul", [x, g.scalarFloat(0.5)]), g.op("Add", [erf, g.scalarFloat(1)])]);
}

function writePresent(
  g: GraphBuilder,
  variant: GraphVariant,
  layer: number,
  keys: string,
  values: string,
  dims: (number | string)[],
) {
  const emit = (value: string, output: string) =>
    variant.cacheType === "float16" ? g.op("Cast", [value], { to: 10 }, output) : g.op("Identity", [value], {}, output);
  if (variant.cacheLayout === "per-layer") {
    emit(keys, g.output(`present.${layer}.key`, variant.cacheType, dims));
    emit(values, g.output(`present.${layer}.value`, variant.cacheType, dims));
    return;
  }
  const axis0 = g.ints([1], [0]);
  const stacked = g.op("Concat", [g.op("Unsqueeze", [keys, axis0]), g.op("Unsqueeze", [values, axis0])], { axis: 0 });
  emit(stacked, g.output(`present_${layer}`, variant.cacheType, [2, ...dims]));
}

/**
 * The merged decoder's `If`: with `use_cache_branch` true the past passes
 * through; with false the KV past is cut to length 0 and fixed-size state
 * zeroed, as optimum's merged exports ignore the dummy past of the first step.
 * Answers each past's name as selected.
 */
function selectPast(g: GraphBuilder, useCache: string, kv: string[], fixed: string[], type: ElemType) {
  const thenBranch = new GraphBuilder("then_");
  const elseBranch = new GraphBuilder("else_");
  const start = elseBranch.ints([1], [0]);
  const axis = elseBranch.ints([1], [2]);
  const selected = new Map<string, string>();
  for (const [index, past] of [...kv, ...fixed].entries()) {
    const thenOut = thenBranch.op("Identity", [past]);
    thenBranch.outputs.push(valueInfo(thenOut, type));
    const elseOut =
      index < kv.length ? elseBranch.op("Slice", [past, start, start, axis]) : elseBranch.op("Sub", [past, past]);
    elseBranch.outputs.push(valueInfo(elseOut, type));
    selected.set(past, g.fresh("past_selected"));
  }
  g.node("If", [useCache], { then_branch: thenBranch.graph("use_past"), else_branch: elseBranch.graph("no_past") }, [
    ...selected.values(),
  ]);
  return selected;
}
