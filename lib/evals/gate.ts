// Gate thresholds in MLflow's spirit (browser-safe): an absolute bound on the candidate, and a minimum absolute or
// relative change against a baseline, in the direction the metric improves. The eval-run executor, the gate
// endpoints, release policies and the CLI's printout all read the same verdict.
import { z } from "zod";
import type { GateCheck, GateVerdict, MetricSummary, TargetSummary } from "./summary";

export const thresholdSchema = z
  .object({
    /** "overall", an evaluator's name, "latency_p95_ms", "cost_usd", "error_rate". */
    metric: z.string().min(1).max(200),
    /** The evaluator's mean score or its pass rate (ignored for latency, cost and error rate). */
    stat: z.enum(["mean", "pass_rate"]).default("mean"),
    /** Absolute bound on the candidate's value (a minimum when higher is better, else a maximum). */
    threshold: z.number().optional(),
    /** Against the baseline: at least this much better (may be negative: "at most 0.02 worse"). */
    minAbsoluteChange: z.number().optional(),
    /** Against the baseline, as a fraction of its value: 0.05 = 5 % better. */
    minRelativeChange: z.number().optional(),
    higherIsBetter: z.boolean().default(true),
  })
  .strict();

export type Threshold = z.output<typeof thresholdSchema>;

/** Metrics that are not evaluators: a value per target, not a mean or a pass rate. */
const VALUE_METRICS = ["latency_p95_ms", "cost_usd", "error_rate"] as const;
type ValueMetric = (typeof VALUE_METRICS)[number];
const isValueMetric = (metric: string): metric is ValueMetric => (VALUE_METRICS as readonly string[]).includes(metric);

type Kind = "score" | "rate" | "ms" | "usd";

interface Measured {
  value: number | null;
  /** Why there is no value, in words. */
  missing?: string;
  kind: Kind;
}

function fromMetric(summary: MetricSummary | undefined, t: Threshold, name: string): Measured {
  const kind = kindOf(t);
  if (!summary) return { value: null, kind, missing: `no scores for '${name}'` };
  if (summary.n === 0) return { value: null, kind, missing: `'${name}' scored no cases` };
  return { value: t.stat === "pass_rate" ? summary.passRate : summary.mean, kind };
}

/** The number a threshold reads from a target's summary, or why there is none. */
function measure(target: TargetSummary, t: Threshold): Measured {
  const kind = kindOf(t);
  switch (t.metric) {
    case "latency_p95_ms":
      return target.latencyP95Ms === null
        ? { value: null, kind, missing: "no latencies were recorded" }
        : { value: target.latencyP95Ms, kind };
    case "cost_usd":
      return target.results === 0
        ? { value: null, kind, missing: "no results to divide the cost by" }
        : { value: target.costUsd / target.results, kind };
    case "error_rate":
      return target.results === 0
        ? { value: null, kind, missing: "no results" }
        : { value: target.errors / target.results, kind };
    case "overall":
      return fromMetric(target.overall, t, "overall");
    default: {
      const found = fromMetric(target.evaluators[t.metric], t, t.metric);
      if (found.value === null && !target.evaluators[t.metric]) {
        const known = Object.keys(target.evaluators);
        found.missing = `the run has no evaluator '${t.metric}' (${known.length ? `it has ${known.join(", ")}` : "it has none"})`;
      }
      return found;
    }
  }
}

/** The kind of number a threshold bounds, from its definition alone (no results needed). */
function kindOf(t: Threshold): Kind {
  if (t.metric === "latency_p95_ms") return "ms";
  if (t.metric === "cost_usd") return "usd";
  if (t.metric === "error_rate" || t.stat === "pass_rate") return "rate";
  return "score";
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** A value in its metric's unit: "71.0 %", "0.850", "1200 ms", "$0.00042". */
function formatValue(value: number, kind: Kind): string {
  switch (kind) {
    case "rate":
      return `${round(value * 100, 1).toFixed(1)} %`;
    case "ms":
      return `${Math.round(value)} ms`;
    case "usd":
      return `$${value.toPrecision(3).replace(/\.?0+$/, "")}`;
    default:
      return value.toFixed(3);
  }
}

/** A difference in the metric's unit: rates in percentage points. */
function formatDelta(delta: number, kind: Kind): string {
  const size = Math.abs(delta);
  if (kind === "rate") return `${(size * 100).toFixed(1)} pts`;
  return formatValue(size, kind);
}

function metricName(t: Threshold, kind: Kind): string {
  const name = t.metric === "latency_p95_ms" ? "latency p95" : t.metric === "cost_usd" ? "cost per result" : t.metric;
  if (isValueMetric(t.metric)) return name.replace("_", " ");
  return `${name} ${t.stat === "pass_rate" ? "pass rate" : kind === "score" ? "mean" : t.stat}`;
}

/** How much better the candidate is (negative: worse), in the metric's improving direction. */
const improvement = (value: number, base: number, higherIsBetter: boolean) =>
  higherIsBetter ? value - base : base - value;

function changeWords(delta: number, kind: Kind, relative = false): string {
  const size = relative ? `${(Math.abs(delta) * 100).toFixed(1)} %` : formatDelta(delta, kind);
  if (delta === 0) return "unchanged";
  return delta > 0 ? `${size} better` : `${size} worse`;
}

function requiredWords(min: number, kind: Kind, relative = false): string {
  const size = relative ? `${(Math.abs(min) * 100).toFixed(1)} %` : formatDelta(min, kind);
  if (min === 0) return "no worse than the baseline required";
  return min > 0 ? `at least ${size} better required` : `at most ${size} worse allowed`;
}

/**
 * Judges a target against thresholds, one check per bound: an absolute bound, a minimum absolute change and a
 * minimum relative change each make their own check, so a report can say which one failed. A metric that is not
 * in the results fails its check (a gate never passes on missing data); so does a comparison with no baseline.
 */
export function evaluateGate(
  candidate: TargetSummary,
  baseline: TargetSummary | null,
  thresholds: Threshold[],
): GateVerdict {
  const checks: GateCheck[] = [];
  for (const raw of thresholds) {
    const t = thresholdSchema.parse(raw);
    const stat: GateCheck["stat"] = isValueMetric(t.metric) ? "value" : t.stat;
    const measured = measure(candidate, t);
    const name = metricName(t, measured.kind);
    const base = baseline ? measure(baseline, t) : null;
    const check = (passed: boolean, message: string): void => {
      checks.push({ metric: t.metric, stat, value: measured.value, baseline: base?.value ?? null, passed, message });
    };
    const bounds = [t.threshold, t.minAbsoluteChange, t.minRelativeChange].filter((b) => b !== undefined);
    if (bounds.length === 0) {
      check(false, `${name}: the threshold sets no bound (give a threshold, a minimum change or both)`);
      continue;
    }
    if (measured.value === null) {
      check(false, `${name}: missing from the candidate's results (${measured.missing})`);
      continue;
    }
    const value = measured.value;
    const kind = measured.kind;
    if (t.threshold !== undefined) {
      const passed = t.higherIsBetter ? value >= t.threshold : value <= t.threshold;
      const bound = formatValue(t.threshold, kind);
      const shown = formatValue(value, kind);
      check(
        passed,
        t.higherIsBetter
          ? passed
            ? `${name} ${shown} meets the minimum ${bound}`
            : `${name} ${shown} is below the minimum ${bound}`
          : passed
            ? `${name} ${shown} is within the maximum ${bound}`
            : `${name} ${shown} is above the maximum ${bound}`,
      );
    }
    const comparisons = [
      { min: t.minAbsoluteChange, relative: false },
      { min: t.minRelativeChange, relative: true },
    ].filter((c): c is { min: number; relative: boolean } => c.min !== undefined);
    for (const { min, relative } of comparisons) {
      if (!baseline || !base) {
        check(false, `${name}: no baseline to compare with (${requiredWords(min, kind, relative)})`);
        continue;
      }
      if (base.value === null) {
        check(false, `${name}: missing from the baseline's results (${base.missing})`);
        continue;
      }
      const delta = improvement(value, base.value, t.higherIsBetter);
      // A zero baseline has no relative change: any improvement is infinitely large, any loss infinitely bad.
      const change = relative
        ? base.value === 0
          ? delta === 0
            ? 0
            : delta * Number.POSITIVE_INFINITY
          : delta / Math.abs(base.value)
        : delta;
      // Rounding noise (0.1 + 0.2) must not fail "no worse than the baseline".
      const passed = change >= min - 1e-12;
      const both = `${name} ${formatValue(value, kind)} vs baseline ${formatValue(base.value, kind)}`;
      check(passed, `${both}: ${changeWords(change, kind, relative)}; ${requiredWords(min, kind, relative)}`);
    }
  }
  return { passed: checks.every((c) => c.passed), checks };
}

/**
 * A threshold in words, as a policy or a form lists it: "exact pass rate at least 90.0 %", "overall mean: no
 * worse than the baseline required", "latency p95 at most 800 ms".
 */
export function describeThreshold(raw: Threshold): string {
  const t = thresholdSchema.parse(raw);
  const kind = kindOf(t);
  const name = metricName(t, kind);
  const parts: string[] = [];
  if (t.threshold !== undefined)
    parts.push(`${t.higherIsBetter ? "at least" : "at most"} ${formatValue(t.threshold, kind)}`);
  if (t.minAbsoluteChange !== undefined) parts.push(requiredWords(t.minAbsoluteChange, kind));
  if (t.minRelativeChange !== undefined) parts.push(requiredWords(t.minRelativeChange, kind, true));
  return `${name} ${parts.join("; ") || "(no bound)"}`;
}
