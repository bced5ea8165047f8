import { describe, expect, it } from "vitest";
import { MAX_BATCH_SEQUENCES, MAX_BATCH_TOKENS, subBatches } from "./embedder";
import { l2Normalize, poolRow, type TokenBatch, truncateDimensions } from "./pooling";

/** Two rows of three positions, hidden 2: row 0 right-padded (last position padding), row 1 left-padded. */
const batch: TokenBatch = {
  // biome-ignore format: one position per line reads as the tensor
  data: Float32Array.from([
    1, 2,     3, -4,    100, 100,
    -50, 50,  5, 6,     7, -8,
  ]),
  mask: [1, 1, 0, 0, 1, 1],
  batch: 2,
  seq: 3,
  hidden: 2,
};

const values = (v: Float32Array) => Array.from(v);

describe("poolRow", () => {
  it("mean ignores padded positions, right and left", () => {
    expect(values(poolRow(batch, 0, ["mean"]))).toEqual([2, -1]);
    expect(values(poolRow(batch, 1, ["mean"]))).toEqual([6, -1]);
  });

  it("cls takes the first real token, lasttoken the last, whichever side the padding is on", () => {
    expect(values(poolRow(batch, 0, ["cls"]))).toEqual([1, 2]);
    expect(values(poolRow(batch, 1, ["cls"]))).toEqual([5, 6]);
    expect(values(poolRow(batch, 0, ["lasttoken"]))).toEqual([3, -4]);
    expect(values(poolRow(batch, 1, ["lasttoken"]))).toEqual([7, -8]);
  });

  it("max never picks a padded value", () => {
    expect(values(poolRow(batch, 0, ["max"]))).toEqual([3, 2]);
    expect(values(poolRow(batch, 1, ["max"]))).toEqual([7, 6]);
  });

  it("mean_sqrt_len divides the sum by the square root of the length", () => {
    expect(values(poolRow(batch, 0, ["mean_sqrt_len"]))).toEqual([4 / Math.SQRT2, -2 / Math.SQRT2].map(Math.fround));
  });

  it("several modes concatenate in the order given", () => {
    expect(values(poolRow(batch, 0, ["cls", "mean"]))).toEqual([1, 2, 2, -1]);
  });
});

describe("vectors", () => {
  it("l2Normalize gives unit length and keeps direction; a zero vector stays zero", () => {
    expect(values(l2Normalize(Float32Array.of(3, 4)))).toEqual([0.6, 0.8].map(Math.fround));
    expect(values(l2Normalize(Float32Array.of(0, 0)))).toEqual([0, 0]);
  });

  it("truncateDimensions keeps the first dims and renormalises", () => {
    expect(values(truncateDimensions(Float32Array.of(3, 4, 12), 2))).toEqual([0.6, 0.8].map(Math.fround));
  });
});

describe("subBatches", () => {
  const seqs = (lengths: number[]) => lengths.map((n, index) => ({ index, ids: new Array(n).fill(1) }));

  it("sorts by length and bounds rows per batch", () => {
    const batches = subBatches(seqs(Array.from({ length: MAX_BATCH_SEQUENCES + 5 }, (_, i) => 40 - (i % 7))));
    expect(batches.map((b) => b.length)).toEqual([MAX_BATCH_SEQUENCES, 5]);
    const lengths = batches.flat().map((s) => s.ids.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
  });

  it("bounds padded tokens per batch; a single sequence always gets its own", () => {
    const long = MAX_BATCH_TOKENS / 2;
    const batches = subBatches(seqs([long, long, long, 3]));
    for (const b of batches)
      expect(b.length * Math.max(...b.map((s) => s.ids.length))).toBeLessThanOrEqual(MAX_BATCH_TOKENS);
    expect(batches.flat()).toHaveLength(4);
  });
});
