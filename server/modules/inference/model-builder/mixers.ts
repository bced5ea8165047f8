import type { ElemType, GraphBuilder } from "./graph-builder";

/**
 * The token mixers of the test model besides attention: an LFM2/Mamba-style
 * depthwise causal conv and a Mamba-style state-space scan, each carrying a
 * fixed-size state from step to step. Both add a small term to the residual
 * stream (their weights never write the input code), so the greedy pattern
 * holds while a wrong state still changes every logit.
 */

const INT64_MAX = Number.MAX_SAFE_INTEGER;
const B = "batch_size";

export interface StateIo {
  /** The past as the layer sees it (after the merged decoder's `If`). */
  past: string;
  /** The output name, e.g. `present_conv.0`. */
  present: string;
  type: ElemType;
}

function toFloat(g: GraphBuilder, name: string, type: ElemType) {
  return type === "float16" ? g.op("Cast", [name], { to: 1 }) : name;
}

function emit(g: GraphBuilder, value: string, io: StateIo, dims: (number | string)[]) {
  if (io.type === "float16") g.op("Cast", [value], { to: 10 }, io.present);
  else g.op("Identity", [value], {}, io.present);
  g.output(io.present, io.type, dims);
}

/** x [B, S, d] + conv(x) over the window [past | x]; the last width-1 inputs become the present. */
export function convBlock(
  g: GraphBuilder,
  x: string,
  io: StateIo,
  weights: { kernel: string; bias: string },
  d: number,
  convWidth: number,
): string {
  const keep = convWidth - 1;
  const timeMajor = g.op("Transpose", [x], { perm: [0, 2, 1] });
  const window = g.op("Concat", [toFloat(g, io.past, io.type), timeMajor], { axis: 2 });
  const conv = g.op("Conv", [window, weights.kernel, weights.bias], { group: d });
  const kept = g.op("Slice", [window, g.ints([1], [-keep]), g.ints([1], [INT64_MAX]), g.ints([1], [2])]);
  emit(g, kept, io, [B, d, keep]);
  return g.op("Add", [x, g.op("Transpose", [conv], { perm: [0, 2, 1] })]);
}

/** How much of the state survives a step. */
const DECAY = 0.9;

/**
 * A diagonal linear recurrence h_t = DECAY * h_(t-1) + x_t W_in, read out as
 * h_t W_out. The S steps of one call are computed at once in closed form,
 * H = L U + DECAY^(i+1) h_0 with L[i, j] = DECAY^(i-j) for j <= i, so a
 * step from a carried state equals the recompute up to rounding.
 */
export function ssmBlock(
  g: GraphBuilder,
  x: string,
  io: StateIo,
  weights: { into: string; out: string },
  seqLen: string,
  shape: [number, number],
): string {
  const size = shape[0] * shape[1];
  const u = g.op("MatMul", [x, weights.into]);
  const steps = g.op("Squeeze", [seqLen, g.ints([1], [0])]);
  const index = g.op("Range", [g.scalarInt(0), steps, g.scalarInt(1)]);
  const lag = g.op("Sub", [g.op("Unsqueeze", [index, g.ints([1], [1])]), g.op("Unsqueeze", [index, g.ints([1], [0])])]);
  const decay = g.scalarFloat(DECAY);
  const causal = g.op("GreaterOrEqual", [lag, g.scalarInt(0)]);
  const weightsL = g.op("Where", [causal, g.op("Pow", [decay, g.op("Cast", [lag], { to: 1 })]), g.scalarFloat(0)]);
  const carried = g.op("Pow", [decay, g.op("Cast", [g.op("Add", [index, g.scalarInt(1)])], { to: 1 })]);
  const h0 = g.op("Reshape", [toFloat(g, io.past, io.type), g.ints([3], [0, 1, size])]);
  const h = g.op("Add", [
    g.op("MatMul", [weightsL, u]),
    g.op("Mul", [g.op("Unsqueeze", [carried, g.ints([1], [1])]), h0]),
  ]);
  const last = g.op("Gather", [h, g.scalarInt(-1)], { axis: 1 });
  emit(g, g.op("Reshape", [last, g.ints([3], [0, ...shape])]), io, [B, ...shape]);
  return g.op("Add", [x, g.op("MatMul", [h, weights.out])]);
}
