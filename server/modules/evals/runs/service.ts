// CONTRACT STUB: the eval-runs work replaces these bodies.

import type { CreateEvalRunInput } from "@/lib/evals/runs";
import type { Db } from "@/server/db";

export interface EvalRunDeps {
  db: Db;
  projectId: string;
  /** Who started it; targets are called as `apiKeyId` when a key started it. */
  createdBy: { userId: string | null; label: string };
  apiKeyId: string | null;
}

/** Validates, resolves evaluators and targets (404 for unknown ids), writes the run and its targets, enqueues `eval.run`. */
export async function createEvalRun(
  _deps: EvalRunDeps,
  _input: CreateEvalRunInput,
): Promise<{ id: string; jobId: string }> {
  throw new Error("createEvalRun: not implemented yet");
}
