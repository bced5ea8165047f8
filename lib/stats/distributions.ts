/**
 * The three distributions the experiment statistics need — standard normal,
 * Student t and chi-squared — as CDF, survival (upper tail, computed directly
 * so small p-values keep their relative accuracy) and quantile.
 *
 * - Normal CDF: Φ(z) = ½ erfc(−z/√2) with erfc(u) = Q(½, u²) (A&S 7.1.2 and
 *   6.5.17), so the tails come from the incomplete-gamma continued fraction
 *   with full relative accuracy (Φ(−10) ≈ 7.6e−24 is exact to ~1e−14).
 * - Normal quantile: P. J. Acklam's rational approximation (2003, relative
 *   error 1.15e−9) polished by one Halley step against the CDF above, which
 *   brings it to machine precision.
 * - t CDF: P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½) (A&S 26.7.1 via 26.5.27) for
 *   ν ≤ 1000. Beyond that the continued fraction works at x ≈ 1 − t²/ν and
 *   loses about ν·ε to cancellation (3e−7 relative at ν = 1e10), so large ν
 *   uses G. W. Hill's asymptotic normalizing transformation ("Algorithm 395:
 *   Student's t-distribution", CACM 13(10), 1970), which agrees with the
 *   continued fraction to 1e−14 at ν = 1000 and only gets better with ν.
 * - t quantile: closed forms for ν = 1, 2; otherwise the Cornish–Fisher start
 *   (A&S 26.7.5) refined by safeguarded Newton steps on the survival function.
 * - Chi-squared: P(X > x) = Q(k/2, x/2) (A&S 26.4.19).
 */
import { logBeta, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "./special";

const SQRT_TWO_PI = 2.5066282746310002;

/** Standard normal density φ(z). */
function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_TWO_PI;
}

/** Φ(z) = P(Z ≤ z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === 0) return 0.5;
  const tail = 0.5 * regularizedGammaQ(0.5, 0.5 * z * z);
  return z < 0 ? tail : 1 - tail;
}

/** 1 − Φ(z) = P(Z > z), accurate in the upper tail. */
export function normalSurvival(z: number): number {
  return normalCdf(-z);
}

// Acklam's coefficients (https://web.archive.org/web/20151030215612/http://home.online.no/~pjacklam/notes/invnorm/).
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Φ⁻¹(p) for 0 < p < 1 (−∞ / +∞ at 0 / 1). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // Work in the lower half, where p itself (not 1 − p) carries the precision.
  if (p > 0.5) return -lowerNormalQuantile(1 - p);
  return lowerNormalQuantile(p);
}

function lowerNormalQuantile(p: number): number {
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  // One Halley step: e = Φ(x) − p, u = e / φ(x); x ← x − u / (1 + x u / 2).
  const e = normalCdf(x) - p;
  const u = e * SQRT_TWO_PI * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}

/** P(T > t) for Student's t with ν > 0 degrees of freedom (ν = ∞ gives the normal). */
export function studentTSurvival(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalSurvival(t);
  if (t === 0) return 0.5;
  if (df > HILL_MIN_DF) {
    const tail = normalSurvival(hillDeviate(Math.abs(t), df));
    return t > 0 ? tail : 1 - tail;
  }
  const t2 = t * t;
  // x = ν/(ν + t²) and y = t²/(ν + t²) are both formed directly: no 1 − x.
  const tail = 0.5 * regularizedBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
  return t > 0 ? tail : 1 - tail;
}

const HILL_MIN_DF = 1000;

/** Hill (1970): the normal deviate with the same upper tail as t on ν degrees of freedom, for large ν. */
function hillDeviate(t: number, df: number): number {
  const a = df - 0.5;
  const b = 48 * a * a;
  const y = a * Math.log1p((t * t) / df);
  return (((((-0.4 * y - 3.3) * y - 24) * y - 85.5) / (0.8 * y * y + 100 + b) + y + 3) / b + 1) * Math.sqrt(y);
}

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  return studentTSurvival(-t, df);
}

/** Density of Student's t. */
function studentTPdf(t: number, df: number): number {
  if (df === Number.POSITIVE_INFINITY) return normalPdf(t);
  // f(t) = (1 + t²/ν)^{−(ν+1)/2} / (√ν B(ν/2, ½))
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBetaHalf(df));
}

/** ln B(ν/2, ½), cached per ν since quantile iterations reuse it. */
let cachedDf = Number.NaN;
let cachedLogBeta = Number.NaN;
function logBetaHalf(df: number): number {
  if (df !== cachedDf) {
    cachedDf = df;
    cachedLogBeta = logBeta(df / 2, 0.5);
  }
  return cachedLogBeta;
}

/** t_{p, ν}: the p-quantile of Student's t. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(p);
  // Solve in the upper tail for precision: t = upper(q) with q = P(T > t).
  if (p < 0.5) return -upperTQuantile(p, df);
  return upperTQuantile(1 - p, df);
}

/** The t with P(T > t) = q, for 0 < q < ½. */
function upperTQuantile(q: number, df: number): number {
  if (df === 1) return Math.tan(Math.PI * (0.5 - q)); // Cauchy
  if (df === 2) {
    // F(t) = ½ + t / (2√(2 + t²)) for ν = 2, so t = (1 − 2q) / √(2 q (1 − q)).
    return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q));
  }
  const z = -normalQuantile(q);
  const z2 = z * z;
  // Cornish–Fisher expansion (A&S 26.7.5), first four terms.
  const g1 = (z2 + 1) * z * 0.25;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92160;
  let t = z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
  if (!(t > 0) || !Number.isFinite(t)) t = z;

  // Safeguarded Newton on S(t) − q (S decreasing): keep a bracket [lo, hi].
  let lo = 0;
  let hi = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 100; i++) {
    const diff = studentTSurvival(t, df) - q;
    if (diff === 0) return t;
    if (diff > 0) lo = t;
    else hi = t;
    const next = t + diff / studentTPdf(t, df);
    const bounded =
      next > lo && next < hi ? next : hi === Number.POSITIVE_INFINITY ? Math.max(2 * t, t + 1) : 0.5 * (lo + hi);
    if (Math.abs(bounded - t) <= 4e-15 * Math.abs(t)) return bounded;
    t = bounded;
  }
  return t;
}

/** P(X ≤ x) for chi-squared with k > 0 degrees of freedom. */
export function chiSquaredCdf(x: number, k: number): number {
  if (Number.isNaN(x) || !(k > 0)) return Number.NaN;
  if (x <= 0) return 0;
  return regularizedGammaP(k / 2, x / 2);
}

/** P(X > x) for chi-squared with k degrees of freedom (the goodness-of-fit p-value). */
export function chiSquaredSurvival(x: number, k: number): number {
  if (Number.isNaN(x) || !(k > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(k / 2, x / 2);
}
