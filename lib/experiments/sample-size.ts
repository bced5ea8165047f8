/**
 * Planned sample size for a rate metric, per arm, for the two-sided two-proportion z-test the results page
 * runs (Fleiss, Levin & Paik, "Statistical Methods for Rates and Proportions", 3rd ed., 2003, §4.2, without
 * the continuity correction):
 *
 *   n = ( z_{1−α/2} √(2 p̄ (1 − p̄)) + z_{1−β} √(p₁(1 − p₁) + p₂(1 − p₂)) )² / δ²,
 *   p₂ = p₁ + δ,  p̄ = (p₁ + p₂) / 2.
 *
 * Browser-safe (the create dialog shows the result as the user types).
 */
import { z } from "zod";

export const sampleSizeInput = z
  .object({
    /** Control's expected rate, 0..1 (e.g. 0.10 for 10 %). */
    baselineRate: z.number().gt(0, "Enter a rate above 0 %").lt(1, "Enter a rate below 100 %"),
    /** Smallest absolute difference worth detecting, in rate units (0.02 = 2 percentage points). */
    minimumDetectableEffect: z.number().gt(0, "Enter an effect above 0 pp").lt(1),
    alpha: z.number().gt(0).lt(0.5, "Alpha is usually 0.05; it must be below 0.5"),
    power: z.number().gt(0.5, "Power is usually 0.8; it must be above 0.5").lt(1, "Power must be below 1"),
  })
  .refine((v) => v.baselineRate + v.minimumDetectableEffect < 1, {
    message: "Baseline plus the effect must stay below 100 %",
    path: ["minimumDetectableEffect"],
  });
export type SampleSizeInput = z.infer<typeof sampleSizeInput>;

/** Units per arm (rounded up) to detect the effect with the given power at the given alpha. */
export function unitsPerArmForRate(input: SampleSizeInput): number {
  const { baselineRate: p1, minimumDetectableEffect: delta, alpha, power } = sampleSizeInput.parse(input);
  const p2 = p1 + delta;
  const pBar = (p1 + p2) / 2;
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zBeta = normalQuantile(power);
  const root = zAlpha * Math.sqrt(2 * pBar * (1 - pBar)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / (delta * delta));
}

/**
 * Standard normal quantile, P. J. Acklam's rational approximation (relative error < 1.2e-9), enough for a
 * sample size; the statistics module on the server refines it further for p-values.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("normalQuantile needs 0 < p < 1");
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
