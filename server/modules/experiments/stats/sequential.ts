/**
 * Always-valid inference: the mixture sequential probability ratio test
 * (mSPRT) of R. Johari, P. Koomen, L. Pekelis and D. Walsh, "Always Valid
 * Inference: Continuous Monitoring of A/B Tests", Operations Research 70(3),
 * 2022 (arXiv:1512.04922; the KDD 2017 paper "Peeking at A/B Tests").
 *
 * A fixed-horizon p-value looked at after every batch of traffic and acted
 * on the first time it dips below α rejects a true null far more often than
 * α (47 % in the A/A simulation of sequential.test.ts, 399 looks). The
 * mSPRT p-value may be looked at any number of times and acted on at any
 * look: P(ever below α | H0) ≤ α.
 *
 * The statistic. Let d be the observed difference (treatment − control) and
 * V its variance (σ_c²/n_c + σ_t²/n_t, from the data: the plug-in the paper
 * uses for real traffic). Mixing the likelihood ratio of H1: θ over a normal
 * prior θ ~ N(θ₀, τ²) gives, for H0: θ = θ₀ (the paper's two-stream normal
 * mSPRT, written with V in place of its 2σ²/n for n units per arm):
 *
 *   Λ(θ₀) = √(V / (V + τ²)) · exp( τ² (d − θ₀)² / (2 V (V + τ²)) )
 *
 * Always-valid p-value (the paper's definition): p_n = min(p_{n−1}, 1/Λ_n(0)), p₀ = 1.
 * Confidence sequence: {θ₀ : Λ_n(θ₀) < 1/α}, intersected over looks:
 *
 *   d ± √( 2V(V + τ²)/τ² · (ln(1/α) + ½ ln((V + τ²)/V)) )
 *
 * Choosing τ². τ² is the spread of effects we expect; it decides when the
 * test is most sensitive, never its validity. With r = τ²/V the interval's
 * width in units of √V is smallest near r ≈ 8 (for α = 0.05), and V shrinks
 * like 1/N. By default τ² = ρ² · N·V (N·V is the per-unit variance of the
 * difference, stable over time), with
 *
 *   ρ² = (2 ln(1/α) + ln(1 + 2 ln(1/α))) / N*
 *
 * so the interval is tightest near N* total units (the tuning of the normal
 * mixture boundary in S. R. Howard, A. Ramdas, J. McAuliffe, J. Sekhon,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann.
 * Statist. 49(2), 2021; GrowthBook's sequential testing tunes its ρ the same
 * way). Then r = ρ²N depends only on N, and the interval above is exactly
 * that normal-mixture confidence sequence.
 * A fixed τ² (in squared units of the difference) can be passed instead.
 *
 * Rates use the normal approximation: V = p̂_c(1 − p̂_c)/n_c + p̂_t(1 − p̂_t)/n_t.
 */
import type { Interval, MeanAggregates, RateCounts, SequentialState, Status } from "./schemas";
import { DEFAULT_ALPHA, invalidMeanAggregates, invalidRateCounts, momentsFromAggregates } from "./summaries";

/** Default N*: total units (both arms) where the confidence sequence is tightest. */
const DEFAULT_HORIZON = 5_000;

export interface MsprtOptions {
  alpha?: number;
  /** Fixed mixing variance τ², squared units of the difference. Overrides `horizon`. */
  tau2?: number;
  /** N*, total units where the interval should be tightest (default 5,000). */
  horizon?: number;
}

/** One look's evidence: the difference, its variance and the units behind it. */
export interface Look {
  difference: number;
  /** Variance of the difference estimate (not per unit). */
  variance: number;
  /** Total units in both arms. */
  units: number;
}

/** The running state plus what this look contributed. */
export interface SequentialStep {
  state: SequentialState;
  /** Λ(0) at this look; null if the look had no usable data. */
  lambda: number | null;
  tau2: number | null;
  status: Status;
  reason: string | null;
}

export const INITIAL_SEQUENTIAL_STATE: SequentialState = { looks: 0, pValue: 1, ci: null };

/** ρ² of the default tuning for a given α and horizon N*. */
export function mixingRho2(alpha: number, horizon: number): number {
  const twoLog = 2 * Math.log(1 / alpha);
  return (twoLog + Math.log1p(twoLog)) / horizon;
}

/** ln Λ(θ₀) for one look, in terms of r = τ²/V (so nothing overflows for large evidence). */
function logLambda(look: Look, r: number, theta0 = 0): number {
  const z2 = ((look.difference - theta0) * (look.difference - theta0)) / look.variance;
  return -0.5 * Math.log1p(r) + ((r / (1 + r)) * z2) / 2;
}

/** The per-look confidence interval {θ₀ : Λ(θ₀) < 1/α}. */
function lookInterval(look: Look, r: number, alpha: number): Interval {
  const half = Math.sqrt(((2 * look.variance * (1 + r)) / r) * (Math.log(1 / alpha) + 0.5 * Math.log1p(r)));
  return { lower: look.difference - half, upper: look.difference + half };
}

/**
 * Fold one look into the running state. Pass the previous state (or
 * INITIAL_SEQUENTIAL_STATE) and persist the returned one. Without the
 * previous state each look still gives a valid always-valid answer — the
 * event "1/Λ ever fell below α" is the same whether or not the minimum is
 * carried, and each look's interval is a member of a valid confidence
 * sequence — but the shown p-value may then rise again and the interval
 * widen; carrying the state makes both monotone and the interval tighter.
 */
export function msprtUpdate(previous: SequentialState, look: Look | null, options: MsprtOptions = {}): SequentialStep {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const unchanged = (status: Status, reason: string): SequentialStep => ({
    state: previous,
    lambda: null,
    tau2: null,
    status,
    reason,
  });
  if (look === null) return unchanged("insufficient_data", "not enough data for this look");
  if (!(look.variance > 0) || !Number.isFinite(look.difference) || !(look.units > 0)) {
    return unchanged("insufficient_data", "no variance yet: the difference cannot be scaled");
  }
  const tau2 = options.tau2 ?? mixingRho2(alpha, options.horizon ?? DEFAULT_HORIZON) * look.units * look.variance;
  const r = tau2 / look.variance;
  const lambda = Math.exp(logLambda(look, r));
  const pValue = Math.min(previous.pValue, Math.min(1, Math.exp(-logLambda(look, r))));
  const current = lookInterval(look, r, alpha);
  let ci = current;
  if (previous.ci) {
    const lower = Math.max(previous.ci.lower, current.lower);
    const upper = Math.min(previous.ci.upper, current.upper);
    // An empty intersection happens with probability ≤ α (the true effect
    // left the sequence); fall back to this look's interval rather than
    // report an impossible one.
    ci = lower <= upper ? { lower, upper } : current;
  }
  return {
    state: { looks: previous.looks + 1, pValue, ci },
    lambda: Number.isFinite(lambda) ? lambda : Number.MAX_VALUE,
    tau2,
    status: "ok",
    reason: null,
  };
}

/** The look for a rate metric (normal approximation), or null with too little data. */
function rateLook(control: RateCounts, treatment: RateCounts): Look | null {
  if (invalidRateCounts(control) || invalidRateCounts(treatment)) return null;
  if (control.n === 0 || treatment.n === 0) return null;
  const pc = control.conversions / control.n;
  const pt = treatment.conversions / treatment.n;
  return {
    difference: pt - pc,
    variance: (pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n,
    units: control.n + treatment.n,
  };
}

/** The look for a mean metric, or null with too little data (fewer than 2 observations in an arm). */
function meanLook(control: MeanAggregates, treatment: MeanAggregates): Look | null {
  if (invalidMeanAggregates(control) || invalidMeanAggregates(treatment)) return null;
  if (control.n < 2 || treatment.n < 2) return null;
  const c = momentsFromAggregates(control);
  const t = momentsFromAggregates(treatment);
  return {
    difference: (t.mean as number) - (c.mean as number),
    variance: (c.variance as number) / control.n + (t.variance as number) / treatment.n,
    units: control.n + treatment.n,
  };
}

/** mSPRT step for a rate metric. */
export function sequentialRates(
  previous: SequentialState,
  control: RateCounts,
  treatment: RateCounts,
  options: MsprtOptions = {},
): SequentialStep {
  return msprtUpdate(previous, rateLook(control, treatment), options);
}

/** mSPRT step for a mean metric. */
export function sequentialMeans(
  previous: SequentialState,
  control: MeanAggregates,
  treatment: MeanAggregates,
  options: MsprtOptions = {},
): SequentialStep {
  return msprtUpdate(previous, meanLook(control, treatment), options);
}
