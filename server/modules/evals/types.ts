// The contract between evaluators (evaluators/), eval runs (runs/), gates, online evaluation and rollouts.
import type { Db } from "@/server/db";
import type { ModelCall } from "./model-call";

export interface ChatMessage {
  role: string;
  content: unknown;
  [key: string]: unknown;
}

/** What an evaluator looks at: the case's input, the answer and the expected output. */
export interface EvalSample {
  input: { messages?: ChatMessage[]; variables?: Record<string, unknown> };
  output: string;
  /** The dataset's expected answer (the last assistant message, or a metadata field), when it has one. */
  expected?: unknown;
  metadata?: Record<string, unknown>;
}

/** An evaluator version as a run uses it: loaded once per run. */
export interface EvaluatorSpec {
  evaluatorVersionId: string;
  name: string;
  version: number;
  /** lib/evals/evaluators.ts: EVALUATOR_TYPES */
  type: string;
  config: unknown;
  threshold: number | null;
  negate: boolean;
  /** Its weight in the case's weighted mean (default 1). */
  weight: number;
}

export interface EvaluatorScore {
  evaluatorVersionId: string;
  name: string;
  version: number;
  type: string;
  /** 0..1, after negation. */
  score: number;
  passed: boolean;
  reason: string;
  weight: number;
  /** What its own calls cost (judges, embeddings). */
  costUsd: number;
}

export interface CaseScore {
  /** Weighted mean of the evaluators' scores. */
  score: number;
  /** Every evaluator passed. */
  passed: boolean;
  scores: EvaluatorScore[];
  costUsd: number;
}

export interface ScoreDeps {
  db: Db;
  projectId: string;
  /** For judges and embedding evaluators. */
  callModel: ModelCall;
  signal: AbortSignal;
}
