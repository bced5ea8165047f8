/**
 * Seeded pseudo-random numbers, the one implementation every side uses (the
 * deterministic test model and sampling seeds, generated request-log traffic,
 * experiment simulations, benchmarks). Pure TypeScript, browser-safe.
 * Not for anything secret: use `crypto.getRandomValues` for that.
 */

/**
 * mulberry32: uniform numbers in [0, 1) with 32 bits of resolution. The same
 * seed (taken modulo 2^32) gives the same stream on every platform, which is
 * what "same seed, same text" and the reproducible fixtures rely on, so the
 * sequence must never change.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller, both values of each pair used) from a uniform source. */
export function normalSampler(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = Math.max(uniform(), Number.EPSILON);
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}
