import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/random";
import { twoProportionZTest, welchTTest } from "./comparisons";
import type { SequentialState } from "./schemas";
import { INITIAL_SEQUENTIAL_STATE, mixingRho2, msprtUpdate, sequentialMeans, sequentialRates } from "./sequential";

/** Standard normal by Box–Muller. */
function gaussian(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-300))) * Math.cos(2 * Math.PI * uniform());
}

const ALPHA = 0.05;

interface StreamOutcome {
  sequentialRejected: boolean;
  naiveRejected: boolean;
  /** The true effect stayed inside the running confidence sequence at every look. */
  covered: boolean;
  /** Always-valid p-values, one per look. */
  pValues: number[];
}

/**
 * One experiment observed one unit per arm at a time, looking after every
 * unit: the mSPRT decision and the naive "stop the first time the
 * fixed-horizon p-value is below α" decision, on the same data.
 */
function meanStream(normal: () => number, units: number, effect: number, horizon: number): StreamOutcome {
  const control = { n: 0, sum: 0, sumSquares: 0 };
  const treatment = { n: 0, sum: 0, sumSquares: 0 };
  let state: SequentialState = INITIAL_SEQUENTIAL_STATE;
  const outcome: StreamOutcome = { sequentialRejected: false, naiveRejected: false, covered: true, pValues: [] };
  for (let i = 0; i < units; i++) {
    const x = normal();
    const y = normal() + effect;
    control.n++;
    control.sum += x;
    control.sumSquares += x * x;
    treatment.n++;
    treatment.sum += y;
    treatment.sumSquares += y * y;
    if (i < 1) continue;
    state = sequentialMeans(state, control, treatment, { alpha: ALPHA, horizon }).state;
    outcome.pValues.push(state.pValue);
    if (state.pValue < ALPHA) outcome.sequentialRejected = true;
    if (state.ci && (state.ci.lower > effect || state.ci.upper < effect)) outcome.covered = false;
    if (!outcome.naiveRejected) outcome.naiveRejected = (welchTTest(control, treatment, ALPHA).pValue ?? 1) < ALPHA;
  }
  return outcome;
}

function rateStream(uniform: () => number, units: number, rate: number, lift: number, every: number) {
  const control = { n: 0, conversions: 0 };
  const treatment = { n: 0, conversions: 0 };
  let state: SequentialState = INITIAL_SEQUENTIAL_STATE;
  let sequentialRejected = false;
  let naiveRejected = false;
  for (let i = 1; i <= units; i++) {
    control.n++;
    treatment.n++;
    if (uniform() < rate) control.conversions++;
    if (uniform() < rate + lift) treatment.conversions++;
    if (i % every !== 0) continue;
    state = sequentialRates(state, control, treatment, { alpha: ALPHA, horizon: 2 * units }).state;
    if (state.pValue < ALPHA) sequentialRejected = true;
    if (!naiveRejected) naiveRejected = (twoProportionZTest(control, treatment, ALPHA).pValue ?? 1) < ALPHA;
  }
  return { sequentialRejected, naiveRejected };
}

/** Upper end of a one-sided 99.7 % band for a simulated rejection rate around α. */
const simulationSlack = (streams: number) => 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / streams);

describe("mSPRT (always-valid inference)", () => {
  it("keeps the false-positive rate at or below alpha under continuous peeking; naive peeking does not (means)", () => {
    const normal = gaussian(seededRandom(20_240_601));
    const streams = 300;
    let sequential = 0;
    let naive = 0;
    let increases = 0;
    for (let s = 0; s < streams; s++) {
      const outcome = meanStream(normal, 400, 0, 800);
      if (outcome.sequentialRejected) sequential++;
      if (outcome.naiveRejected) naive++;
      // The always-valid p-value is a running minimum: it never goes back up.
      for (let i = 1; i < outcome.pValues.length; i++) if (outcome.pValues[i] > outcome.pValues[i - 1]) increases++;
    }
    expect(increases).toBe(0);
    // Observed with this seed: mSPRT 0.027, naive peeking 0.47.
    expect(sequential / streams).toBeLessThanOrEqual(ALPHA + simulationSlack(streams));
    // Peeking at a fixed-horizon test 399 times inflates its false positives several-fold.
    expect(naive / streams).toBeGreaterThan(3 * ALPHA);
  });

  it("keeps the false-positive rate at or below alpha under peeking (rates, normal approximation)", () => {
    const uniform = seededRandom(7);
    const streams = 300;
    let sequential = 0;
    let naive = 0;
    for (let s = 0; s < streams; s++) {
      const outcome = rateStream(uniform, 1_000, 0.2, 0, 5);
      if (outcome.sequentialRejected) sequential++;
      if (outcome.naiveRejected) naive++;
    }
    // Observed with this seed: mSPRT 0.020, naive peeking (200 looks) 0.41.
    expect(sequential / streams).toBeLessThanOrEqual(ALPHA + simulationSlack(streams));
    expect(naive / streams).toBeGreaterThan(3 * ALPHA);
  });

  it("rejects a real difference eventually, and the confidence sequence covers the true effect", () => {
    const normal = gaussian(seededRandom(99));
    const streams = 150;
    let rejected = 0;
    let covered = 0;
    for (let s = 0; s < streams; s++) {
      const outcome = meanStream(normal, 400, 0.35, 800);
      if (outcome.sequentialRejected) rejected++;
      if (outcome.covered) covered++;
    }
    // Observed with this seed: rejects 0.99, covers 0.98.
    expect(rejected / streams).toBeGreaterThan(0.9);
    // Time-uniform coverage: the true effect is inside the running interval at every look.
    expect(covered / streams).toBeGreaterThanOrEqual(1 - ALPHA - simulationSlack(streams));

    const uniform = seededRandom(3);
    let rateRejected = 0;
    for (let s = 0; s < 100; s++) if (rateStream(uniform, 2_000, 0.1, 0.05, 20).sequentialRejected) rateRejected++;
    expect(rateRejected / 100).toBeGreaterThan(0.9);
  });

  it("computes Λ, the p-value and the interval from the published formulas", () => {
    // d = 0.3, V = 0.01, τ² = 0.02: Λ = √(V/(V+τ²)) · exp(τ² d² / (2V(V+τ²))) = √(1/3) · e³.
    const step = msprtUpdate(INITIAL_SEQUENTIAL_STATE, { difference: 0.3, variance: 0.01, units: 100 }, { tau2: 0.02 });
    const lambda = Math.sqrt(1 / 3) * Math.exp(3);
    expect(step.lambda).toBeCloseTo(lambda, 10);
    expect(step.state.pValue).toBeCloseTo(1 / lambda, 12);
    // Half-width √(2V(V+τ²)/τ² · (ln(1/α) + ½ ln((V+τ²)/V))).
    const half = Math.sqrt(((2 * 0.01 * 0.03) / 0.02) * (Math.log(20) + 0.5 * Math.log(3)));
    expect(step.state.ci!.lower).toBeCloseTo(0.3 - half, 12);
    expect(step.state.ci!.upper).toBeCloseTo(0.3 + half, 12);
    // At the interval's ends Λ(θ₀) is exactly 1/α.
    const atEdge = msprtUpdate(
      INITIAL_SEQUENTIAL_STATE,
      { difference: 0.3 - (0.3 + half), variance: 0.01, units: 100 },
      { tau2: 0.02 },
    );
    expect(atEdge.lambda).toBeCloseTo(1 / ALPHA, 9);
    // Little evidence: 1/Λ > 1 is capped at 1.
    const flat = msprtUpdate(INITIAL_SEQUENTIAL_STATE, { difference: 0, variance: 0.01, units: 100 }, { tau2: 0.02 });
    expect(flat.state.pValue).toBe(1);
  });

  it("defaults τ² to the tuning that is tightest at the horizon, and keeps running values", () => {
    const rho2 = mixingRho2(0.05, 5_000);
    expect(rho2).toBeCloseTo((2 * Math.log(20) + Math.log(1 + 2 * Math.log(20))) / 5_000, 15);
    const look = { difference: 0.1, variance: 0.004, units: 2_000 };
    const step = msprtUpdate(INITIAL_SEQUENTIAL_STATE, look);
    expect(step.tau2).toBeCloseTo(rho2 * 2_000 * 0.004, 15);
    // A later look with weaker evidence keeps the earlier, smaller p-value and the intersected interval.
    const later = msprtUpdate(step.state, { difference: 0.02, variance: 0.002, units: 4_000 });
    expect(later.state.looks).toBe(2);
    expect(later.state.pValue).toBe(step.state.pValue);
    expect(later.state.ci!.lower).toBeGreaterThanOrEqual(step.state.ci!.lower);
    expect(later.state.ci!.upper).toBeLessThanOrEqual(step.state.ci!.upper);
  });

  it("skips looks without usable data instead of producing NaN", () => {
    const state = { looks: 3, pValue: 0.2, ci: { lower: -1, upper: 1 } };
    const none = sequentialRates(state, { n: 10, conversions: 0 }, { n: 10, conversions: 0 });
    expect(none).toMatchObject({ state, lambda: null, status: "insufficient_data" });
    expect(sequentialMeans(state, { n: 1, sum: 1, sumSquares: 1 }, { n: 5, sum: 5, sumSquares: 6 }).state).toBe(state);
    expect(sequentialMeans(state, { n: 3, sum: 3, sumSquares: 3 }, { n: 3, sum: 6, sumSquares: 12 }).status).toBe(
      "insufficient_data",
    );
    // Overwhelming evidence: Λ overflows double range, the p-value is 0, nothing is NaN.
    const huge = msprtUpdate(INITIAL_SEQUENTIAL_STATE, { difference: 10, variance: 1e-6, units: 1e6 });
    expect(huge.state.pValue).toBe(0);
    expect(Number.isFinite(huge.lambda)).toBe(true);
  });
});
