const EXACT_LIMIT = 65_536;
const SUB_BUCKETS = 64; // per power of two above EXACT_LIMIT: relative error under 1/64
const FIRST_OCTAVE = 16; // log2(EXACT_LIMIT)
const OCTAVES = 53 - FIRST_OCTAVE;

export interface Distribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
}

/**
 * A histogram of non-negative integers (token counts, messages per example)
 * with fixed memory: one exact counter per value below 65,536 (256 KiB),
 * then 64 buckets per power of two (under 10 KiB more). Quantiles are
 * nearest-rank (the smallest value v with at least ⌈q·n⌉ observations ≤ v),
 * exact below 65,536 and within 1/64 above (never over the exact maximum).
 */
export class IntHistogram {
  private readonly exact = new Uint32Array(EXACT_LIMIT);
  private readonly overflow = new Float64Array(OCTAVES * SUB_BUCKETS);
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    const v = Math.max(0, Math.floor(value));
    this.n++;
    this.sum += v;
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    if (v < EXACT_LIMIT) this.exact[v]++;
    else this.overflow[overflowIndex(v)]++;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank quantile, q in [0, 1]; 0 for an empty histogram. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    const top = Math.min(this.hi, EXACT_LIMIT - 1);
    for (let v = Math.min(this.lo, EXACT_LIMIT); v <= top; v++) {
      seen += this.exact[v];
      if (seen >= rank) return v;
    }
    for (let i = 0; i < this.overflow.length; i++) {
      seen += this.overflow[i];
      if (seen >= rank) return Math.min(this.hi, overflowUpperBound(i));
    }
    return this.hi;
  }

  summary(): Distribution {
    if (this.n === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p95: 0 };
    return {
      count: this.n,
      min: this.lo,
      max: this.hi,
      mean: this.sum / this.n,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
    };
  }
}

function overflowIndex(v: number): number {
  const octave = Math.min(52, Math.floor(Math.log2(v)));
  const sub = Math.min(SUB_BUCKETS - 1, Math.floor((v / 2 ** octave - 1) * SUB_BUCKETS));
  return (octave - FIRST_OCTAVE) * SUB_BUCKETS + sub;
}

function overflowUpperBound(index: number): number {
  const octave = FIRST_OCTAVE + Math.floor(index / SUB_BUCKETS);
  const sub = index % SUB_BUCKETS;
  return Math.floor(2 ** octave * (1 + (sub + 1) / SUB_BUCKETS)) - 1;
}
