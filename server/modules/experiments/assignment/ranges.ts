/**
 * Bucket ranges, GrowthBook `getBucketRanges` style. Variant i owns the slot
 * [s_i, s_i + w_i) of the unit interval (s_i = cumulative weight before it)
 * and, with traffic share (coverage) c, takes only the start of its slot:
 *
 *   range_i = [s_i, s_i + c · w_i)
 *
 * A unit's bucket never depends on c, and raising c only lengthens every
 * range from its fixed start, so for c1 < c2 range_i(c1) ⊂ range_i(c2) and
 * the ranges of different variants never overlap: a unit in variant i at c1
 * is in variant i at c2; units that were out may come in, nobody moves. The
 * same holds in floating point: s_i is computed without c and
 * s_i + c·w_i is monotone in c. (Changing the weights does move units — start
 * a new phase with a new salt instead.)
 */

/** [start, end) in [0, 1]. */
export type BucketRange = readonly [start: number, end: number];

/**
 * Ranges for weights in percent (summing to 100) and a traffic share in
 * [0, 1] (clamped, as GrowthBook does).
 */
export function bucketRanges(weightsPercent: readonly number[], trafficShare: number): BucketRange[] {
  const coverage = Math.min(1, Math.max(0, trafficShare));
  let cumulative = 0;
  return weightsPercent.map((percent) => {
    const weight = percent / 100;
    const start = cumulative;
    cumulative += weight;
    return [start, start + coverage * weight] as const;
  });
}

/** Index of the range holding `bucket` (start inclusive, end exclusive), or −1: not in the experiment. */
export function chooseVariation(bucket: number, ranges: readonly BucketRange[]): number {
  for (let i = 0; i < ranges.length; i++) {
    if (bucket >= ranges[i][0] && bucket < ranges[i][1]) return i;
  }
  return -1;
}
