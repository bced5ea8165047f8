// What an eval run's results add up to (browser-safe: the console draws these, the CLI prints them, gates read
// them). Written by the eval-run executor when a run ends (server/modules/evals/runs).

export interface MetricSummary {
  /** Scored cases x trials (calls that failed are counted in TargetSummary.errors, not here). */
  n: number;
  mean: number;
  /** 95 % confidence interval of the mean. */
  ci: [number, number];
  passRate: number;
  /** 95 % Wilson interval of the pass rate. */
  passCi: [number, number];
}

export interface TargetSummary {
  targetId: string;
  position: number;
  label: string;
  /** Cases x trials attempted. */
  results: number;
  errors: number;
  overall: MetricSummary;
  /** By evaluator name. */
  evaluators: Record<string, MetricSummary>;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  costUsd: number;
  evalCostUsd: number;
  tokensIn: number;
  tokensOut: number;
  /** Present when the run has thresholds: this target judged (against the baseline target, when one is set). */
  gate?: GateVerdict;
}

export interface GateCheck {
  /** e.g. "overall", "exact", "latency_p95_ms" */
  metric: string;
  stat: "mean" | "pass_rate" | "value";
  value: number | null;
  baseline: number | null;
  passed: boolean;
  /** "exact pass_rate 0.71 < 0.80" */
  message: string;
}

export interface GateVerdict {
  passed: boolean;
  checks: GateCheck[];
}

export interface RunSummary {
  targets: TargetSummary[];
  /** The position of the baseline target gates compare with, when the run has one. */
  baselinePosition: number | null;
  /** Every non-baseline target's gate passed (null: the run had no thresholds). */
  gatePassed: boolean | null;
}
