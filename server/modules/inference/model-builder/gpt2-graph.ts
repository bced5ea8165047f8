import type { proto } from "../onnx-proto";
import { type ElemType, GraphBuilder, valueInfo } from "./graph-builder";
import type { Dimensions, Weights } from "./weights";

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
  /** Hybrid model: a depthwise causal conv per layer whose last inputs are carried as `past_conv.N`. */
  convState: boolean;
}

const B = "batch_size";
const S = "sequence_length";
const P = "past_sequence_length";
const T = "total_sequence_length";
const INT64_MAX = Number.MAX_SAFE_INTEGER;

export function buildDecoderGraph(dims: Dimensions, weights: Weights, variant: GraphVariant): proto.IGraphProto {
  const g = new GraphBuilder();
  const { hidden: d, heads, layers, vocab, convWidth } = dims;
  const headSize = d / heads;
  const cacheType: ElemType = variant.cacheType;
  const convKeep = convWidth - 1;

  const inputIds = g.input("input_ids", variant.idsType, [B, S]);
  const attentionMask = g.input("attention_mask", variant.idsType, [B, T]);
  const positionIdsInput = variant.positionIds ? g.input("position_ids", variant.idsType, [B, S]) : null;

  // Past tensors as the graph receives them, then as each layer uses them.
  const pastKeys: string[] = [];
  const pastValues: string[] = [];
  const pastConv: string[] = [];
  for (let layer = 0; layer < layers; layer++) {
    if (variant.kvCache && variant.cacheLayout === "per-layer") {
      pastKeys.push(g.input(`past_key_values.${layer}.key`, cacheType, [B, heads, P, headSize]));
      pastValues.push(g.input(`past_key_values.${layer}.value`, cacheType, [B, heads, P, headSize]));
    } else if (variant.kvCache) {
      const past = g.input(`past_${layer}`, cacheType, [2, B, heads, P, headSize]);
      pastKeys.push(g.op("Gather", [past, g.scalarInt(0)], { axis: 0 }));
      pastValues.push(g.op("Gather", [past, g.scalarInt(1)], { axis: 0 }));
    }
    if (variant.convState) pastConv.push(g.input(`past_conv.${layer}`, cacheType, [B, d, convKeep]));
  }
  if (variant.useCacheBranch) {
    const useCache = g.input("use_cache_branch", "bool", [1]);
    const selected = selectPast(g, useCache, [...pastKeys, ...pastValues], pastConv, cacheType);
    pastKeys.splice(0, layers, ...selected.kv.slice(0, pastKeys.length));
    pastValues.splice(0, layers, ...selected.kv.slice(pastKeys.length));
    pastConv.splice(0, layers, ...selected.conv);
  }
  const toFloat = (name: string) => (cacheType === "float16" ? g.op("Cast", [name], { to: 1 }) : name);

  // Lengths: S from the ids, T from the mask, P = T - S (so a merged decoder's dummy past is ignored).
  const seqLen = g.op("Shape", [inputIds], { start: 1, end: 2 });
  const totalLen = g.op("Shape", [attentionMask], { start: 1, end: 2 });
  const axis0 = g.ints([1], [0]);
  const pastScalar = g.op("Squeeze", [g.op("Sub", [totalLen, seqLen]), axis0]);
  const totalScalar = g.op("Squeeze", [totalLen, axis0]);
  const queryPositions = g.op("Range", [pastScalar, totalScalar, g.scalarInt(1)]);

  const positions = positionIdsInput ?? g.op("Unsqueeze", [queryPositions, axis0]);
  const tokens = g.op("Gather", [g.floats("wte", [vocab, d], weights.tokenEmbedding), inputIds], { axis: 0 });
  const positionRows = g.op("Gather", [g.floats("wpe", [dims.positions, d], weights.positionEmbedding), positions], {
    axis: 0,
  });
  let x = g.op("Add", [tokens, positionRows]);

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
  const headShape = g.ints([4], [0, 0, heads, headSize]);
  const mergedShape = g.ints([3], [0, 0, d]);

  for (let layer = 0; layer < layers; layer++) {
    const w = weights.layers[layer];
    const name = (part: string) => `h.${layer}.${part}`;
    if (variant.convState) {
      const state = toFloat(pastConv[layer]);
      const timeMajor = g.op("Transpose", [x], { perm: [0, 2, 1] });
      const window = g.op("Concat", [state, timeMajor], { axis: 2 });
      const kernel = g.floats(name("conv.weight"), [d, 1, convWidth], w.conv);
      const conv = g.op("Conv", [window, kernel, g.floats(name("conv.bias"), [d], w.convBias)], { group: d });
      const kept = g.op("Slice", [window, g.ints([1], [-convKeep]), g.ints([1], [INT64_MAX]), g.ints([1], [2])]);
      const presentConv = `present_conv.${layer}`;
      if (cacheType === "float16") g.op("Cast", [kept], { to: 10 }, presentConv);
      else g.op("Identity", [kept], {}, presentConv);
      g.output(presentConv, cacheType, [B, d, convKeep]);
      x = g.op("Add", [x, g.op("Transpose", [conv], { perm: [0, 2, 1] })]);
    }

    const normed = layerNorm(
      g,
      x,
      g.floats(name("ln_1.weight"), [d], w.ln1),
      g.floats(name("ln_1.bias"), [d], w.ln1Bias),
    );
    const qkv = g.op("Add", [
      g.op("MatMul", [normed, g.floats(name("attn.c_attn.weight"), [d, 3 * d], w.qkv)]),
      g.floats(name("attn.c_attn.bias"), [3 * d], w.qkvBias),
    ]);
    const [q, k, v] = g
      .node("Split", [qkv, g.ints([3], [d, d, d])], { axis: 2 }, 3)
      .map((part) => g.op("Transpose", [g.op("Reshape", [part, headShape])], { perm: [0, 2, 1, 3] }));
    let keys = k;
    let values = v;
    if (variant.kvCache) {
      keys = g.op("Concat", [toFloat(pastKeys[layer]), k], { axis: 2 });
      values = g.op("Concat", [toFloat(pastValues[layer]), v], { axis: 2 });
      writePresent(g, variant, layer, keys, values, [B, heads, T, headSize]);
    }
    const scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [keys], { perm: [0, 1, 3, 2] })]), scale]);
    const probs = g.op("Softmax", [g.op("Where", [allowed, scores, masked])], { axis: -1 });
    const context = g.op("Reshape", [
      g.op("Transpose", [g.op("MatMul", [probs, values])], { perm: [0, 2, 1, 3] }),
      mergedShape,
    ]);
    const attention = g.op("Add", [
      g.op("MatMul", [context, g.floats(name("attn.c_proj.weight"), [d, d], w.out)]),
      g.floats(name("attn.c_proj.bias"), [d], w.outBias),
    ]);
    x = g.op("Add", [x, attention]);

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

  const final = layerNorm(
    g,
    x,
    g.floats("ln_f.weight", [d], weights.lnFinal),
    g.floats("ln_f.bias", [d], weights.lnFinalBias),
  );
  g.op("MatMul", [final, g.floats("lm_head.weight", [d, vocab], weights.lmHead)], {}, "logits");
  g.output("logits", "float32", [B, S, vocab]);
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
 * through; with false the KV past is cut to length 0 and the conv state zeroed,
 * as optimum's merged exports ignore the dummy past of the first step.
 */
function selectPast(g: GraphBuilder, useCache: string, kv: string[], conv: string[], type: ElemType) {
  const thenBranch = new GraphBuilder("then_");
  const elseBranch = new GraphBuilder("else_");
  const start = elseBranch.ints([1], [0]);
  const axis = elseBranch.ints([1], [2]);
  const outputs: string[] = [];
  for (const [index, past] of [...kv, ...conv].entries()) {
    const thenOut = thenBranch.op("Identity", [past]);
    thenBranch.outputs.push(valueInfo(thenOut, type));
    const elseOut =
      index < kv.length ? elseBranch.op("Slice", [past, start, start, axis]) : elseBranch.op("Sub", [past, past]);
    elseBranch.outputs.push(valueInfo(elseOut, type));
    outputs.push(g.fresh("past_selected"));
  }
  g.node(
    "If",
    [useCache],
    { then_branch: thenBranch.graph("use_past"), else_branch: elseBranch.graph("no_past") },
    outputs,
  );
  return { kv: outputs.slice(0, kv.length), conv: outputs.slice(kv.length) };
}
