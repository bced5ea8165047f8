import { normalSampler, seededRandom } from "@/lib/random";
import type { proto } from "../onnx-proto";
import { GraphBuilder } from "./graph-builder";

/** Which I/O the exported encoder has: every flavour the embedder must understand. */
export interface EncoderGraphVariant {
  idsType: "int64" | "int32";
  tokenTypeIds: boolean;
  /** `last_hidden_state` (optimum) or `token_embeddings` (sentence-transformers exports). */
  tokenOutput: "last_hidden_state" | "token_embeddings" | null;
  /** A pooled output as well: `sentence_embedding` (mean-pooled, normalised) or `pooler_output` (BERT's tanh pooler). */
  pooledOutput: "sentence_embedding" | "pooler_output" | null;
  /** Cross-encoder: `logits` [batch, 1] from the CLS token (then no other output). */
  classifier: boolean;
}

export interface EncoderDimensions {
  vocab: number;
  hidden: number;
  heads: number;
  layers: number;
  ffn: number;
  positions: number;
}

const B = "batch_size";
const S = "sequence_length";

/**
 * A BERT-style encoder (post-LayerNorm, bidirectional attention masked by
 * `attention_mask`) with seeded random weights: nothing is constructed, the
 * tests only need a deterministic function of the input that padding must
 * not change.
 */
export function buildEncoderGraph(
  dims: EncoderDimensions,
  variant: EncoderGraphVariant,
  seed: number,
): proto.IGraphProto {
  const g = new GraphBuilder();
  const { hidden: d, heads, vocab } = dims;
  const headSize = d / heads;
  const normal = normalSampler(seededRandom(seed));
  const noise = (name: string, shape: number[], std: number) =>
    g.floats(
      name,
      shape,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => normal() * std),
    );
  const ones = (name: string, n: number) => g.floats(name, [n], new Float32Array(n).fill(1));
  const zeros = (name: string, n: number) => g.floats(name, [n], new Float32Array(n));
  const linear = (x: string, name: string, inDim: number, outDim: number) =>
    g.op("Add", [
      g.op("MatMul", [x, noise(`${name}.weight`, [inDim, outDim], 1 / Math.sqrt(inDim))]),
      noise(`${name}.bias`, [outDim], 0.02),
    ]);
  const layerNorm = (x: string, name: string) =>
    g.op("LayerNormalization", [x, ones(`${name}.weight`, d), zeros(`${name}.bias`, d)], {
      axis: -1,
      epsilon: { float: 1e-12 },
    });

  const inputIds = g.input("input_ids", variant.idsType, [B, S]);
  const attentionMask = g.input("attention_mask", variant.idsType, [B, S]);
  const axis0 = g.ints([1], [0]);
  const seqLen = g.op("Squeeze", [g.op("Shape", [inputIds], { start: 1, end: 2 }), axis0]);
  const positions = g.op("Unsqueeze", [g.op("Range", [g.scalarInt(0), seqLen, g.scalarInt(1)]), axis0]);
  let x = g.op("Add", [
    g.op("Gather", [noise("embeddings.word_embeddings.weight", [vocab, d], 1), inputIds], { axis: 0 }),
    g.op("Gather", [noise("embeddings.position_embeddings.weight", [dims.positions, d], 0.3), positions], { axis: 0 }),
  ]);
  if (variant.tokenTypeIds) {
    const types = g.input("token_type_ids", variant.idsType, [B, S]);
    x = g.op("Add", [x, g.op("Gather", [noise("embeddings.token_type_embeddings.weight", [2, d], 0.3), types])]);
  }
  x = layerNorm(x, "embeddings.LayerNorm");

  // Padding keys get -1e9 before the softmax: [B, 1, 1, S].
  const keyAllowed = g.op("Unsqueeze", [g.op("Cast", [attentionMask], { to: 9 }), g.ints([2], [1, 2])]);
  const masked = g.scalarFloat(-1e9);
  const scale = g.scalarFloat(1 / Math.sqrt(headSize));
  const headShape = g.ints([4], [0, 0, heads, headSize]);
  const mergedShape = g.ints([3], [0, 0, d]);
  for (let layer = 0; layer < dims.layers; layer++) {
    const name = (part: string) => `encoder.layer.${layer}.${part}`;
    const split = (part: string) =>
      g.op("Transpose", [g.op("Reshape", [linear(x, name(part), d, d), headShape])], { perm: [0, 2, 1, 3] });
    const [q, k, v] = [split("attention.self.query"), split("attention.self.key"), split("attention.self.value")];
    const scores = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], { perm: [0, 1, 3, 2] })]), scale]);
    const probs = g.op("Softmax", [g.op("Where", [keyAllowed, scores, masked])], { axis: -1 });
    const context = g.op("Reshape", [
      g.op("Transpose", [g.op("MatMul", [probs, v])], { perm: [0, 2, 1, 3] }),
      mergedShape,
    ]);
    x = layerNorm(
      g.op("Add", [x, linear(context, name("attention.output.dense"), d, d)]),
      name("attention.output.LayerNorm"),
    );
    const up = gelu(g, linear(x, name("intermediate.dense"), d, dims.ffn));
    x = layerNorm(g.op("Add", [x, linear(up, name("output.dense"), dims.ffn, d)]), name("output.LayerNorm"));
  }

  const cls = () => g.op("Tanh", [linear(g.op("Gather", [x, g.scalarInt(0)], { axis: 1 }), "pooler.dense", d, d)]);
  if (variant.classifier) {
    linearTo(
      g,
      cls(),
      noise("classifier.weight", [d, 1], 1 / Math.sqrt(d)),
      noise("classifier.bias", [1], 0.1),
      "logits",
    );
    g.output("logits", "float32", [B, 1]);
    return g.graph("switchyard-test-cross-encoder");
  }
  if (variant.tokenOutput) {
    g.op("Identity", [x], {}, variant.tokenOutput);
    g.output(variant.tokenOutput, "float32", [B, S, d]);
  }
  if (variant.pooledOutput === "pooler_output") {
    g.op("Identity", [cls()], {}, "pooler_output");
    g.output("pooler_output", "float32", [B, d]);
  } else if (variant.pooledOutput === "sentence_embedding") {
    // Mean over the real tokens, then L2-normalised: what a sentence-transformers export computes.
    const mask = g.op("Unsqueeze", [g.op("Cast", [attentionMask], { to: 1 }), g.ints([1], [2])]);
    const summed = g.op("ReduceSum", [g.op("Mul", [x, mask]), g.ints([1], [1])], { keepdims: 0 });
    const counts = g.op("ReduceSum", [mask, g.ints([1], [1])], { keepdims: 0 });
    const mean = g.op("Div", [summed, counts]);
    g.op("LpNormalization", [mean], { axis: -1, p: 2 }, "sentence_embedding");
    g.output("sentence_embedding", "float32", [B, d]);
  }
  return g.graph("switchyard-test-encoder");
}

function linearTo(g: GraphBuilder, x: string, weight: string, bias: string, output: string) {
  g.op("Add", [g.op("MatMul", [x, weight]), bias], {}, output);
}

/** Exact GELU, as BERT uses. */
function gelu(g: GraphBuilder, x: string): string {
  const erf = g.op("Erf", [g.op("Div", [x, g.scalarFloat(Math.SQRT2)])]);
  return g.op("Mul", [g.op("Mul", [x, g.scalarFloat(0.5)]), g.op("Add", [erf, g.scalarFloat(1)])]);
}
