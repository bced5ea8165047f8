/**
 * Pooling token vectors into one vector per sequence, as sentence-transformers' `Pooling` module does, and the
 * vector operations around it (L2 normalisation, Matryoshka truncation). Pure functions over flat float arrays.
 */

export type PoolingMode = "cls" | "max" | "mean" | "mean_sqrt_len" | "lasttoken";

/** sentence-transformers concatenates the enabled modes in this order. */
export const POOLING_ORDER: readonly PoolingMode[] = ["cls", "max", "mean", "mean_sqrt_len", "lasttoken"];

/** The `pooling_mode_*` flag of each mode in `1_Pooling/config.json`. */
export const POOLING_FLAGS: Record<PoolingMode, string> = {
  cls: "pooling_mode_cls_token",
  max: "pooling_mode_max_tokens",
  mean: "pooling_mode_mean_tokens",
  mean_sqrt_len: "pooling_mode_mean_sqrt_len_tokens",
  lasttoken: "pooling_mode_lasttoken",
};

/** Token vectors of a padded batch: `data` is [batch, seq, hidden] row-major; `mask` is [batch, seq] of 0/1. */
export interface TokenBatch {
  data: Float32Array;
  mask: ArrayLike<number>;
  batch: number;
  seq: number;
  hidden: number;
}

/** Pools row `b` with each mode in turn and concatenates the results (hidden * modes.length values). */
export function poolRow(tokens: TokenBatch, b: number, modes: readonly PoolingMode[]): Float32Array {
  const { data, mask, seq, hidden } = tokens;
  const out = new Float32Array(hidden * modes.length);
  const rowStart = b * seq * hidden;
  const real: number[] = [];
  for (let s = 0; s < seq; s++) if (mask[b * seq + s]) real.push(s);
  if (real.length === 0) return out;
  modes.forEach((mode, m) => {
    const target = out.subarray(m * hidden, (m + 1) * hidden);
    if (mode === "cls" || mode === "lasttoken") {
      // The first / last real token, so left and right padding both work.
      const s = mode === "cls" ? real[0] : real[real.length - 1];
      target.set(data.subarray(rowStart + s * hidden, rowStart + (s + 1) * hidden));
      return;
    }
    if (mode === "max") {
      target.fill(Number.NEGATIVE_INFINITY);
      for (const s of real)
        for (let h = 0; h < hidden; h++) target[h] = Math.max(target[h], data[rowStart + s * hidden + h]);
      return;
    }
    // Sums in float64: the mean of many float32 values should not drift with the batch's padding.
    const sum = new Float64Array(hidden);
    for (const s of real) for (let h = 0; h < hidden; h++) sum[h] += data[rowStart + s * hidden + h];
    const divisor = mode === "mean" ? real.length : Math.sqrt(real.length);
    for (let h = 0; h < hidden; h++) target[h] = sum[h] / divisor;
  });
  return out;
}

/** The vector scaled to unit L2 norm (a zero vector stays zero, as torch's normalize with eps leaves it). */
export function l2Normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm < 1e-12) return vector;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] / norm;
  return out;
}

/** Matryoshka-style `dimensions`: the first `dims` values, renormalised. */
export function truncateDimensions(vector: Float32Array, dims: number): Float32Array {
  return l2Normalize(vector.slice(0, dims));
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
