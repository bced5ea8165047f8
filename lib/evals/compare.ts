// Eval results and run comparison: the request and answer shapes (browser-safe: the console, REST and the CLI
// share them). Services in server/modules/evals/compare.
import { z } from "zod";
import { queryBoolean, queryInt } from "@/lib/query-params";
import { gateVerdictSchema } from "./summary";

/** Most result rows one page returns. */
const RESULTS_MAX_PAGE = 100;
/** Most cases one comparison pairs (the rest is reported as left out). */
const COMPARE_DEFAULT_CASES = 2_000;
const COMPARE_MAX_CASES = 10_000;
/** A case score moving by more than this is a regression or an improvement. */
const DEFAULT_EPSILON = 0.05;
/** Output text a row carries (longer outputs are cut, and say so). */
export const OUTPUT_MAX_CHARS = 20_000;

const runId = z.uuid("runId must be a UUID");
const position = queryInt(0, 1000);

export const runDetailInput = z.object({ runId });

export const listRunResultsInput = z.object({
  runId,
  /** Only this target's results (its position in the run). */
  target: position.optional(),
  /** Only cases whose overall verdict failed (or whose call failed). */
  failedOnly: queryBoolean.optional(),
  /** Only results where this evaluator (by name) failed, or scored below `below` when given. */
  evaluator: z.string().trim().min(1).max(200).optional(),
  below: z.coerce.number({ message: "below must be a number" }).min(0).max(1).optional(),
  /** Text in the output (case-insensitive). */
  search: z.string().trim().min(1).max(200).optional(),
  page: queryInt(1, 100_000).default(1),
  pageSize: queryInt(1, RESULTS_MAX_PAGE).default(25),
});
export type ListRunResultsInput = z.output<typeof listRunResultsInput>;

export const CASE_CHANGES = ["regression", "improvement", "unchanged", "only_a", "only_b"] as const;
export type CaseChange = (typeof CASE_CHANGES)[number];

export const compareInput = z.object({
  runA: runId,
  targetA: position.default(0),
  /** Defaults to runA: two targets of one run (two prompt versions) is the common case. */
  runB: runId.optional(),
  targetB: position.default(1),
  epsilon: z.coerce.number({ message: "epsilon must be a number" }).min(0).max(1).default(DEFAULT_EPSILON),
  maxCases: queryInt(1, COMPARE_MAX_CASES).default(COMPARE_DEFAULT_CASES),
  /** Only these cases in the page of rows (the statistics always cover every compared case). */
  change: z.enum(CASE_CHANGES).optional(),
  page: queryInt(1, 100_000).default(1),
  pageSize: queryInt(1, RESULTS_MAX_PAGE).default(20),
});
export type CompareInput = z.output<typeof compareInput>;

// ---- Answers --------------------------------------------------------------------------------------------

const interval = z.tuple([z.number(), z.number()]);

/** Mean and pass rate of one target × evaluator; the intervals once the run's summary is written. */
const metricCell = z.object({
  n: z.number().int(),
  mean: z.number().nullable(),
  ci: interval.nullable(),
  passRate: z.number().nullable(),
  passCi: interval.nullable(),
});
export type MetricCell = z.infer<typeof metricCell>;

const runTargetOut = z.object({
  id: z.string(),
  position: z.number().int(),
  label: z.string(),
  promptVersionId: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  model: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  /** Results stored so far (cases × trials), calls that failed, and what they cost. */
  results: z.number().int(),
  errors: z.number().int(),
  costUsd: z.number(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  overall: metricCell,
  /** By evaluator name (the run's evaluators, in order). */
  evaluators: z.record(z.string(), metricCell),
  gate: gateVerdictSchema.nullable(),
});
export type RunTargetOut = z.infer<typeof runTargetOut>;

export const runDetailOut = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  error: z.string().nullable(),
  dataset: z
    .object({ datasetId: z.string(), name: z.string(), versionId: z.string(), version: z.number().int() })
    .nullable(),
  datasetVersionId: z.string(),
  baselineRunId: z.string().nullable(),
  trials: z.number().int(),
  totalCases: z.number().int(),
  doneCases: z.number().int(),
  costUsd: z.number(),
  evalCostUsd: z.number(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  /** True while results are still arriving (queued or running): the page refreshes. */
  live: z.boolean(),
  /** Whether the intervals come from the run's written summary (false while it runs: means and rates only). */
  summarized: z.boolean(),
  evaluators: z.array(z.string()),
  targets: z.array(runTargetOut),
  baselinePosition: z.number().int().nullable(),
  gatePassed: z.boolean().nullable(),
});
export type RunDetailOut = z.infer<typeof runDetailOut>;

const evaluatorScoreOut = z.object({
  name: z.string(),
  version: z.number().int().nullable(),
  type: z.string().nullable(),
  score: z.number().nullable(),
  passed: z.boolean().nullable(),
  reason: z.string(),
  weight: z.number().nullable(),
  costUsd: z.number().nullable(),
});
export type EvaluatorScoreOut = z.infer<typeof evaluatorScoreOut>;

const resultRowOut = z.object({
  targetPosition: z.number().int(),
  caseIndex: z.number().int(),
  trial: z.number().int(),
  /** The case input as one line of text (messages' contents or the variables), cut to a preview. */
  inputPreview: z.string(),
  input: z.unknown(),
  expected: z.string().nullable(),
  output: z.string().nullable(),
  outputTruncated: z.boolean(),
  error: z.string().nullable(),
  score: z.number().nullable(),
  passed: z.boolean().nullable(),
  scores: z.array(evaluatorScoreOut),
  latencyMs: z.number().nullable(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  costUsd: z.number(),
  evalCostUsd: z.number(),
  requestId: z.string().nullable(),
  createdAt: z.date(),
});
export type ResultRowOut = z.infer<typeof resultRowOut>;

export const listRunResultsOut = z.object({
  items: z.array(resultRowOut),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

const mcnemarOut = z.object({
  test: z.literal("mcnemar"),
  pairs: z.number().int(),
  bothPassed: z.number().int(),
  bothFailed: z.number().int(),
  onlyA: z.number().int(),
  onlyB: z.number().int(),
  method: z.enum(["exact_binomial", "chi_squared_corrected"]),
  statistic: z.number().nullable(),
  pValue: z.number(),
  significant: z.boolean(),
});
const pairedTOut = z.object({
  test: z.literal("paired_t"),
  n: z.number().int(),
  meanDifference: z.number().nullable(),
  sdDifference: z.number().nullable(),
  t: z.number().nullable(),
  df: z.number().nullable(),
  pValue: z.number().nullable(),
  ci: interval.nullable(),
  significant: z.boolean(),
});
const wilcoxonOut = z.object({
  test: z.literal("wilcoxon"),
  n: z.number().int(),
  nonZero: z.number().int(),
  statistic: z.number(),
  method: z.enum(["exact", "normal"]),
  z: z.number().nullable(),
  pValue: z.number(),
  ties: z.boolean(),
  significant: z.boolean(),
});

const metricComparisonOut = z.object({
  /** "overall" or an evaluator's name. */
  metric: z.string(),
  pairs: z.number().int(),
  meanA: z.number().nullable(),
  meanB: z.number().nullable(),
  passRateA: z.number().nullable(),
  passRateB: z.number().nullable(),
  mcnemar: mcnemarOut,
  pairedT: pairedTOut,
  wilcoxon: wilcoxonOut,
  /** Which score test the words below state (both are shown). */
  scoreTest: z.enum(["paired_t", "wilcoxon"]),
  scoreTestReason: z.string(),
  /** "B passes 12 more cases than A … The difference is real at 95% (p = 0.004)." */
  passVerdict: z.string(),
  scoreVerdict: z.string(),
});
export type MetricComparisonOut = z.infer<typeof metricComparisonOut>;

const diffOut = z.object({
  hunks: z.array(
    z.object({
      header: z.string(),
      oldStart: z.number().int(),
      oldLines: z.number().int(),
      newStart: z.number().int(),
      newLines: z.number().int(),
      lines: z.array(
        z.object({
          type: z.enum(["context", "add", "remove"]),
          text: z.string(),
          oldLine: z.number().int().optional(),
          newLine: z.number().int().optional(),
        }),
      ),
    }),
  ),
  additions: z.number().int(),
  deletions: z.number().int(),
});

const caseSideOut = z.object({
  /** Mean over the case's trials (a failed call scores 0). */
  score: z.number(),
  /** Most of its trials passed. */
  passed: z.boolean(),
  trials: z.number().int(),
  /** The first trial's output (the diff compares these). */
  output: z.string().nullable(),
  outputTruncated: z.boolean(),
  error: z.string().nullable(),
  requestId: z.string().nullable(),
  latencyMs: z.number().nullable(),
  costUsd: z.number(),
  createdAt: z.date(),
});
export type CaseSideOut = z.infer<typeof caseSideOut>;

const caseComparisonOut = z.object({
  caseIndex: z.number().int(),
  change: z.enum(CASE_CHANGES),
  /** Score B − A (null when the case is on one side only). */
  delta: z.number().nullable(),
  inputPreview: z.string(),
  expected: z.string().nullable(),
  a: caseSideOut.nullable(),
  b: caseSideOut.nullable(),
  evaluators: z.array(
    z.object({
      name: z.string(),
      scoreA: z.number().nullable(),
      scoreB: z.number().nullable(),
      passedA: z.boolean().nullable(),
      passedB: z.boolean().nullable(),
      reasonA: z.string().nullable(),
      reasonB: z.string().nullable(),
    }),
  ),
  diff: diffOut.nullable(),
});
export type CaseComparisonOut = z.infer<typeof caseComparisonOut>;

const sideOut = z.object({
  runId: z.string(),
  runName: z.string(),
  runStatus: z.string(),
  targetPosition: z.number().int(),
  targetLabel: z.string(),
  /** Distinct cases this side has results for (within the cap). */
  cases: z.number().int(),
});

export const compareOut = z.object({
  a: sideOut,
  b: sideOut,
  epsilon: z.number(),
  /** Cases taken into this comparison, and whether more existed (then only the first `maxCases` by index). */
  maxCases: z.number().int(),
  capped: z.boolean(),
  counts: z.object({
    paired: z.number().int(),
    regressions: z.number().int(),
    improvements: z.number().int(),
    unchanged: z.number().int(),
    onlyA: z.number().int(),
    onlyB: z.number().int(),
  }),
  overall: metricComparisonOut,
  evaluators: z.array(metricComparisonOut),
  /** Regressions first (largest drop first), then improvements, unchanged, and one-sided cases; paged. */
  cases: z.object({
    items: z.array(caseComparisonOut),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  }),
});
export type CompareOut = z.infer<typeof compareOut>;

/** `<runId>:<targetPosition>`, the compare page's `a` and `b` query parameters. */
export function parseTargetRef(value: string | null): { runId: string; position: number } | null {
  const match = /^([0-9a-f-]{36}):(\d{1,4})$/i.exec(value ?? "");
  return match ? { runId: match[1], position: Number(match[2]) } : null;
}

export const targetRef = (runId: string, position: number) => `${runId}:${position}`;

export const runChoicesInput = z.object({ limit: queryInt(1, 100).default(50) });
export const runChoicesOut = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    createdAt: z.date(),
    targets: z.array(z.object({ position: z.number().int(), label: z.string() })),
  }),
);
export type RunChoice = z.infer<typeof runChoicesOut>[number];
