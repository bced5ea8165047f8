// The `workflow.run` job: executes a run's DAG on the job runtime. Every step has a row (workflow_step_runs) that
// is the truth about it; a resumed attempt (a worker died or shut down) continues from those rows: finished steps
// stay finished, a step that was running runs again with what it recorded (its child's id), so it re-attaches to
// the eval run, batch or rollout it started instead of starting a second one.
import { z } from "zod";
import { isScope } from "@/lib/scopes";
import { evaluate, isTruthy, parseExpression, unwrapCondition, usesStatusFunction } from "@/lib/workflows/expressions";
import type { WorkflowDefinition } from "@/lib/workflows/schema";
import type { Caller } from "@/server/auth/caller";
import type { Prisma } from "@/server/generated/prisma/client";
import { defineJobKind, type JobContext, JobStopped, PermanentJobError } from "@/server/modules/jobs/kinds";
import { expressionContext, type RunBase } from "./run-base";
import { executeStep } from "./step-runner";
import { StepStore } from "./step-store";
import { STEP_RUNNERS } from "./steps";

const payload = z.object({ runId: z.uuid() });

export const workflowRunKind = defineJobKind({
  kind: "workflow.run",
  payload,
  // A run mostly waits on its children (eval runs, batches, rollouts: their own queues), so many may be going.
  perProject: 10,
  perProcess: 20,
  maxAttempts: 3,
  timeoutSeconds: 7 * 86_400,
  retryDelaySeconds: 10,
  run: (ctx) => executeOrRecord(ctx),
});

const FINAL = ["succeeded", "failed", "skipped", "cancelled"];

/** A run whose job gives up (its last attempt threw) is marked failed, not left running. */
async function executeOrRecord(ctx: JobContext<z.output<typeof payload>>) {
  try {
    return await executeRun(ctx);
  } catch (error) {
    const stopped = error instanceof JobStopped && error.why === "shutdown";
    const job = await ctx.db.job.findUnique({ where: { id: ctx.job.id }, select: { maxAttempts: true } });
    if (!stopped && (error instanceof PermanentJobError || ctx.job.attempt >= (job?.maxAttempts ?? 1)))
      await ctx.db.workflowRun.updateMany({
        where: { id: ctx.job.payload.runId, status: { in: ["queued", "running"] } },
        data: {
          status: "failed",
          error: error instanceof Error ? error.message : String(error),
          finishedAt: new Date(),
        },
      });
    throw error;
  }
}

async function executeRun(ctx: JobContext<z.output<typeof payload>>) {
  const { db } = ctx;
  const run = await db.workflowRun.findUnique({
    where: { id: ctx.job.payload.runId },
    include: { version: true, workflow: { select: { name: true } } },
  });
  if (!run) throw new PermanentJobError(`Workflow run ${ctx.job.payload.runId} does not exist`);
  if (["succeeded", "failed", "cancelled"].includes(run.status)) return { status: run.status };
  const definition = run.version.definition as unknown as WorkflowDefinition;
  await db.workflowRun.update({
    where: { id: run.id },
    data: { status: "running", startedAt: run.startedAt ?? new Date() },
  });
  const store = await StepStore.open(db, run.id, definition.order);
  if (ctx.job.attempt > 1) ctx.log(`Resuming: ${store.summary()}`);
  const caller: Caller = {
    projectId: run.projectId,
    role: null,
    scopes: run.version.scopes.filter(isScope),
    actor: { type: "system", userId: null, keyId: null, label: `workflow ${run.workflow.name}` },
  };
  const base = {
    db,
    caller,
    runId: run.id,
    definition,
    store,
    signal: ctx.signal,
    inputs: run.inputs as Record<string, unknown>,
    trigger: run.trigger as Record<string, unknown>,
    runners: STEP_RUNNERS,
  };

  const going = new Map<string, Promise<void>>();
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
  while (!ctx.signal.aborted) {
    for (const id of definition.order) {
      const state = store.get(id);
      if (going.has(id)) continue;
      if (state.status === "running") {
        going.set(
          id,
          executeStep(base, id, true).finally(() => going.delete(id)),
        );
        continue;
      }
      if (state.status !== "pending") continue;
      const step = definition.steps[id];
      const needs = step.needs.map((n) => store.get(n).status);
      if (!needs.every((s) => FINAL.includes(s))) continue;
      const decision = shouldRun(base, id, needs);
      if (decision.run)
        going.set(
          id,
          executeStep(base, id, false).finally(() => going.delete(id)),
        );
      else await store.finish(id, "skipped", { log: decision.why });
    }
    if (!going.size) break;
    await Promise.race([...going.values(), aborted]);
  }
  await Promise.allSettled([...going.values()]);

  if (ctx.signal.aborted) {
    const why = ctx.signal.reason instanceof JobStopped ? ctx.signal.reason.why : "cancelled";
    // A shutdown gives the job back: the steps stay as they are and the next attempt resumes them.
    if (why === "shutdown") throw ctx.signal.reason;
    const status = why === "cancelled" ? "cancelled" : "failed";
    for (const id of definition.order)
      if (!FINAL.includes(store.get(id).status))
        await store.finish(id, why === "cancelled" ? "cancelled" : "failed", {
          error: why === "cancelled" ? "The run was cancelled" : "The run ran past its time limit",
        });
    await finishRun(base, status, why === "cancelled" ? "Cancelled" : "The run ran past its time limit");
    return { status };
  }
  const failed = definition.order.filter((id) => store.get(id).status === "failed");
  const status = failed.length ? "failed" : "succeeded";
  await finishRun(
    base,
    status,
    failed.length ? `Step '${failed[0]}' failed: ${store.get(failed[0]).error ?? ""}` : null,
  );
  ctx.log(`The run ${status}`);
  return { status, failedSteps: failed };
}

/**
 * Whether a step whose needs are all done runs: without `if`, when every need succeeded; with one, when it holds
 * and every need succeeded, unless it calls always() or failure() (then the expression alone decides).
 */
function shouldRun(base: RunBase, id: string, needStatuses: string[]): { run: boolean; why: string } {
  const step = base.definition.steps[id];
  const allSucceeded = needStatuses.every((s) => s === "succeeded");
  if (step.if === null) return { run: allSucceeded, why: "Skipped: a step it needs did not succeed" };
  try {
    const expr = parseExpression(unwrapCondition(step.if).text);
    const holds = isTruthy(evaluate(expr, expressionContext(base, step.needs)));
    if (usesStatusFunction(expr)) return { run: holds, why: `Skipped: 'if: ${step.if}' is false` };
    if (!allSucceeded) return { run: false, why: "Skipped: a step it needs did not succeed" };
    return { run: holds, why: `Skipped: 'if: ${step.if}' is false` };
  } catch (error) {
    return { run: false, why: `Skipped: the condition could not be evaluated (${(error as Error).message})` };
  }
}

async function finishRun(base: RunBase, status: string, error: string | null) {
  const outputs = Object.fromEntries(
    base.definition.order
      .filter((id) => base.store.get(id).status === "succeeded")
      .map((id) => [id, base.store.get(id).outputs ?? {}]),
  );
  await base.db.workflowRun.update({
    where: { id: base.runId },
    data: { status, error, outputs: outputs as Prisma.InputJsonValue, finishedAt: new Date() },
  });
}
