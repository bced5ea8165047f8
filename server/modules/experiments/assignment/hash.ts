/**
 * GrowthBook-compatible hashing, so a unit lands in the same bucket here as
 * in a GrowthBook SDK given the same seed and id (growthbook/growthbook,
 * packages/sdk-js/src/util.ts; vectors in packages/sdk-js/test/cases.json).
 *
 * FNV-1a 32-bit (Fowler–Noll–Vo; offset basis 0x811c9dc5, prime 16777619)
 * over UTF-16 code units, as GrowthBook's JavaScript SDK does with
 * `charCodeAt` (identical to byte-wise FNV-1a for ASCII ids; other characters
 * hash differently from a UTF-8 implementation).
 *
 * Hash v2, the unbiased one: (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000,
 * a bucket in [0, 1) with 10,000 steps (0.01 % resolution). Hashing the
 * decimal string of the first hash again spreads sequential ids evenly
 * (v1's `% 1000` of a single hash was measurably biased).
 */

export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193; // 16777619

/** Continue an FNV-1a state over a string's UTF-16 code units (state as a signed 32-bit int). */
export function fnv1aUpdate(state: number, text: string): number {
  let h = state | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

/** FNV-1a 32-bit of a string, unsigned. */
export function fnv1a32(text: string): number {
  return fnv1aUpdate(FNV_OFFSET_BASIS, text) >>> 0;
}

/** FNV-1a of the decimal representation of an unsigned 32-bit integer, without building the string. */
const digits = new Uint8Array(10);
export function fnv1a32OfDecimal(value: number): number {
  let v = value >>> 0;
  let length = 0;
  do {
    digits[length++] = 48 + (v % 10); // '0' + digit, least significant first
    v = Math.floor(v / 10);
  } while (v > 0);
  let h = FNV_OFFSET_BASIS | 0;
  for (let i = length - 1; i >= 0; i--) h = Math.imul(h ^ digits[i], FNV_PRIME);
  return h >>> 0;
}

/** Number of distinct v2 buckets. */
export const BUCKETS = 10_000;

/**
 * GrowthBook's `hash(seed, value, version)`: v2 (the default here) or the
 * legacy v1 `(fnv1a32(value + seed) % 1000) / 1000`, kept for compatibility tests.
 */
export function growthbookHash(seed: string, value: string, version: 1 | 2 = 2): number {
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return (fnv1a32OfDecimal(fnv1a32(seed + value)) % BUCKETS) / BUCKETS;
}
