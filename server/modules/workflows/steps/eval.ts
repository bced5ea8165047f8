// eval: starts an eval run (createEvalRun, the function the console and the CLI call) and waits for it.
// gate: judges a finished eval run (evaluateGate) and fails the step when the gate fails (unless continue_on_fail).
import { evaluateGate, type Threshold, thresholdSchema } from "@/lib/evals/gate";
import type { CreateEvalRunInput } from "@/lib/evals/runs";
import type { RunSummary } from "@/lib/evals/summary";
import { DomainError } from "@/server/errors";
import { createEvalRun } from "@/server/modules/evals/runs/service";
import { promptVersionIdOf } from "./subjects";
import { StepFailed, type StepRun } from "./types";
import { waitFor } from "./wait";

const FINAL_EVAL = ["completed", "failed", "cancelled"];

async function evalInput(ctx: Parameters<StepRun>[0]): Promise<CreateEvalRunInput> {
  const w = ctx.with;
  const targets = [];
  for (const raw of w.targets as Record<string, unknown>[]) {
    const { prompt, ...rest } = raw;
    targets.push(prompt ? { ...rest, promptVersionId: await promptVersionIdOf(ctx, String(prompt)) } : rest);
  }
  const optional = (key: string, value: unknown) => (value === undefined || value === null ? {} : { [key]: value });
  return {
    name: String(w.name ?? `workflow step ${ctx.stepId}`),
    datasetVersionId: String(w.dataset_version_id),
    targets: targets as CreateEvalRunInput["targets"],
    evaluators: w.evaluators as CreateEvalRunInput["evaluators"],
    ...optional("thresholds", w.thresholds),
    ...optional("baselineTarget", w.baseline_target),
    ...optional("trials", w.trials),
    ...optional("concurrency", w.concurrency),
    ...optional("caseLimit", w.case_limit),
    ...optional("budgetUsd", w.budget_usd),
  };
}

export const evalStep: StepRun = async (ctx) => {
  let runId = ctx.previous.outputs?.run_id as string | undefined;
  let jobId = ctx.previous.jobId;
  if (runId) ctx.log(`Re-attached to eval run ${runId}`);
  else {
    const created = await createEvalRun(
      {
        db: ctx.db,
        projectId: ctx.projectId,
        createdBy: { userId: null, label: ctx.caller.actor.label },
        apiKeyId: null,
      },
      await evalInput(ctx),
    );
    runId = created.id;
    jobId = created.jobId;
    await ctx.attach({ run_id: runId }, jobId);
    ctx.log(`Started eval run ${runId}`);
  }
  const id = runId;
  const run = await waitFor(
    ctx,
    () => ctx.db.evalRun.findUniqueOrThrow({ where: { id }, select: { status: true, summary: true, error: true } }),
    (r) => FINAL_EVAL.includes(r.status),
    jobId,
  );
  const summary = run.summary as RunSummary | null;
  const outputs = { run_id: id, status: run.status, gate_passed: summary?.gatePassed ?? null, summary };
  if (run.status !== "completed")
    throw new StepFailed(`The eval run ${run.status}${run.error ? `: ${run.error}` : ""}`, outputs);
  return outputs;
};

export const gateStep: StepRun = async (ctx) => {
  const runId = String(ctx.with.run_id);
  const run = await ctx.db.evalRun.findFirst({
    where: { id: runId, projectId: ctx.projectId },
    select: { status: true, summary: true },
  });
  if (!run) throw new DomainError("NOT_FOUND", `Eval run '${runId}' was not found`);
  const summary = run.summary as RunSummary | null;
  if (run.status !== "completed" || !summary) throw new Error(`Eval run ${runId} is ${run.status}, not completed`);
  const thresholds = ctx.with.thresholds ? thresholdSchema.array().parse(ctx.with.thresholds) : null;
  let passed: boolean;
  let checks: unknown[] = [];
  if (thresholds) {
    const baseline = summary.baselinePosition === null ? null : (summary.targets[summary.baselinePosition] ?? null);
    const position = ctx.with.candidate_target as number | undefined;
    const candidate =
      position === undefined
        ? summary.targets.find((t) => t.position !== summary.baselinePosition)
        : summary.targets[position];
    if (!candidate) throw new DomainError("BAD_REQUEST", "The eval run has no candidate target to judge");
    const verdict = evaluateGate(candidate, baseline, thresholds as Threshold[]);
    passed = verdict.passed;
    checks = verdict.checks;
  } else {
    if (summary.gatePassed === null)
      throw new DomainError("BAD_REQUEST", "The eval run has no thresholds: give the gate step thresholds");
    passed = summary.gatePassed;
    checks = summary.targets.flatMap((t) => t.gate?.checks ?? []);
  }
  ctx.log(passed ? "The gate passed" : "The gate failed");
  const outputs = { passed, checks };
  if (!passed && !ctx.with.continue_on_fail) throw new StepFailed("The gate failed", outputs, false);
  return outputs;
};
