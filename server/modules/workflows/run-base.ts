// What the engine and each step share about one run.
import type { WorkflowDefinition } from "@/lib/workflows/schema";
import type { Caller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import type { StepStore } from "./step-store";
import type { StepRun } from "./steps/types";

export type RunBase = {
  db: Db;
  caller: Caller;
  runId: string;
  definition: WorkflowDefinition;
  store: StepStore;
  signal: AbortSignal;
  inputs: Record<string, unknown>;
  trigger: Record<string, unknown>;
  runners: Record<string, StepRun>;
};

/** The expressions' view of the run: every step's status and outputs, the inputs, the trigger. */
export function expressionContext(base: RunBase, needs: string[]) {
  const statuses = needs.map((n) => base.store.get(n).status);
  return {
    steps: Object.fromEntries(
      base.definition.order.map((id) => {
        const s = base.store.get(id);
        return [id, { status: s.status, outputs: s.outputs ?? {} }];
      }),
    ),
    inputs: base.inputs,
    trigger: base.trigger,
    needsSucceeded: statuses.every((s) => s === "succeeded"),
    needsFailed: statuses.some((s) => s === "failed" || s === "cancelled"),
  };
}
