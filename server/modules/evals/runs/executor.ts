// The `eval.run` job: every case x target x trial not stored yet goes through the gateway in-process (as the
// key that started the run), is scored, and is stored with its call's log row; then the summary is written.
// The stored results are the checkpoint: a resumed attempt (a worker stopped or killed) skips them.
import { setMaxListeners } from "node:events";
import { z } from "zod";
import type { Threshold } from "@/lib/evals/gate";
import { FINAL_EVAL_RUN_STATUSES } from "@/lib/evals/runs";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { readExamples } from "@/server/modules/datasets/versions";
import { answerText, gatewayModelCaller, type ModelCaller } from "@/server/modules/evals/model-call";
import { loadEvaluatorSpecs, scoreSample } from "@/server/modules/evals/score";
import type { EvaluatorSpec } from "@/server/modules/evals/types";
import { defineJobKind, type JobContext, type JobStopped, PermanentJobError } from "@/server/modules/jobs/kinds";
import { type EvalCase, exampleCase, requestBody, sampleOf, type TargetPlan } from "./cases";
import type { EvalRunConfig } from "./config";
import { type EvalResultRow, resultKey, storedKeys, storeResults } from "./store";
import { loadSummaryRows, runSummary } from "./summary";
import { targetPlan } from "./targets";

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** Results are stored every this many or FLUSH_MS, whichever comes first. */
const FLUSH_RESULTS = 200;
const FLUSH_MS = 250;

type Payload = { runId: string };

export const evalRunKind = defineJobKind({
  kind: "eval.run",
  payload: z.object({ runId: z.string() }),
  // One project's runs take at most this many of the eval slots across all workers.
  perProject: envNumber("SWITCHYARD_EVALS_PER_PROJECT", 2),
  perProcess: envNumber("SWITCHYARD_EVALS_PER_WORKER", 4),
  maxAttempts: 5,
  // The engine allows a day per attempt at most; a longer run resumes in a new attempt from its stored results.
  timeoutSeconds: 86_000,
  retryDelaySeconds: 2,
  run: runEval,
});

class BudgetReached extends Error {
  override name = "BudgetReached";
}

async function runEval(ctx: JobContext<Payload>) {
  const { db } = ctx;
  const run = await db.evalRun.findUnique({
    where: { id: ctx.job.payload.runId },
    include: { targets: { orderBy: { position: "asc" } } },
  });
  if (!run || FINAL_EVAL_RUN_STATUSES.includes(run.status as never)) return null;
  await db.evalRun.updateMany({
    where: { id: run.id, status: "queued" },
    data: { status: "running", startedAt: new Date() },
  });
  const config = run.config as unknown as EvalRunConfig;
  try {
    const specs = await loadEvaluatorSpecs(
      db,
      run.projectId,
      config.evaluators.map((e) => ({ evaluatorVersionId: e.evaluatorVersionId, weight: e.weight })),
    );
    const cases: EvalCase[] = [];
    for await (const stored of readExamples(db, run.datasetVersionId)) {
      if (config.caseLimit !== null && cases.length >= config.caseLimit) break;
      cases.push(exampleCase(cases.length, stored.example));
    }
    const plans = await Promise.all(run.targets.map((t) => targetPlan(db, t)));
    const done = await storedKeys(run.id);
    ctx.progress(done.size, run.totalCases);
    if (done.size) ctx.log(`Resuming: ${done.size} of ${run.totalCases} results were stored by an earlier attempt`);
    await runCases(ctx, { ...run, config }, { specs, cases, plans, done });
  } catch (error) {
    if (error instanceof BudgetReached) return finalizeEvalRun(db, run.id, "failed", error.message);
    // A run that names what is gone (an evaluator, a dataset version) will not get better on a retry.
    if (error instanceof DomainError && error.code !== "INTERNAL") {
      await finalizeEvalRun(db, run.id, "failed", error.message);
      throw new PermanentJobError(error.message);
    }
    if ((error as JobStopped).name !== "JobStopped") await failIfLastAttempt(ctx, run.id, error);
    throw error;
  }
  if (ctx.signal.aborted) {
    const why = (ctx.signal.reason as JobStopped | undefined)?.why;
    if (why === "cancelled") return finalizeEvalRun(db, run.id, "cancelled");
    throw ctx.signal.reason;
  }
  return finalizeEvalRun(db, run.id, "completed");
}

/** The run fails with the job when no attempt is left (else it would read "running" forever). */
async function failIfLastAttempt(ctx: JobContext<Payload>, runId: string, error: unknown) {
  const job = await ctx.db.job.findUnique({ where: { id: ctx.job.id }, select: { maxAttempts: true } });
  if (job && ctx.job.attempt >= job.maxAttempts)
    await finalizeEvalRun(ctx.db, runId, "failed", error instanceof Error ? error.message : String(error));
}

interface Work {
  specs: EvaluatorSpec[];
  cases: EvalCase[];
  plans: TargetPlan[];
  done: Set<string>;
}

interface RunRow {
  id: string;
  projectId: string;
  apiKeyId: string | null;
  totalCases: number;
  costUsd: number;
  evalCostUsd: number;
  config: EvalRunConfig;
}

function* pendingItems(work: Work, trials: number) {
  for (const c of work.cases)
    for (const plan of work.plans)
      for (let trial = 0; trial < trials; trial++)
        if (!work.done.has(resultKey(plan.id, c.index, trial))) yield { c, plan, trial };
}

/** Runs the pending items, `config.concurrency` calls in flight; throws BudgetReached when the budget ran out. */
async function runCases(ctx: JobContext<Payload>, run: RunRow, work: Work): Promise<void> {
  const { db } = ctx;
  const { concurrency, trials, budgetUsd } = run.config;
  const tag = `eval_${run.id}`;
  const targets = gatewayModelCaller(db, { projectId: run.projectId, apiKeyId: run.apiKeyId, tag, log: "return" });
  const judges = lazyCaller(() =>
    gatewayModelCaller(db, { projectId: run.projectId, apiKeyId: run.apiKeyId, tag, log: "write" }),
  );
  const stop = new AbortController();
  // Every call in flight listens on it (and stops listening when done): as many as the concurrency, not a leak.
  setMaxListeners(concurrency * 4 + 16, stop.signal);
  const onAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });

  let spent = run.costUsd + run.evalCostUsd;
  let budgetHit: BudgetReached | null = null;
  let pending: EvalResultRow[] = [];
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = () => {
    if (pending.length === 0) return writing;
    const rows = pending;
    pending = [];
    writing = writing.then(async () => {
      const totals = await storeResults(run.id, rows);
      if (totals) ctx.progress(totals.doneCases, run.totalCases);
    });
    writing.catch((error) => {
      failure ??= error;
      stop.abort(error);
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  const one = async (item: { c: EvalCase; plan: TargetPlan; trial: number }) => {
    const row = await runOne({ db, projectId: run.projectId, targets, judges, signal: stop.signal }, work.specs, item);
    if (!row) return;
    pending.push(row);
    if (pending.length >= FLUSH_RESULTS) void flush();
    spent += row.costUsd + row.evalCostUsd;
    if (budgetUsd !== null && spent > budgetUsd && !budgetHit) {
      budgetHit = new BudgetReached(
        `Budget of $${budgetUsd} reached ($${spent.toFixed(6)} spent): stopped; the results so far are kept`,
      );
      stop.abort(budgetHit);
    }
  };

  // A counting gate: at most `concurrency` items in flight; the loop waits for a free slot.
  let active = 0;
  let freed: (() => void) | null = null;
  let drained: (() => void) | null = null;
  const release = () => {
    active--;
    freed?.();
    freed = null;
    if (active === 0) drained?.();
  };
  try {
    if (budgetUsd !== null && spent > budgetUsd)
      throw new BudgetReached(`Budget of $${budgetUsd} reached ($${spent.toFixed(6)} spent)`);
    for (const item of pendingItems(work, trials)) {
      if (stop.signal.aborted) break;
      while (active >= concurrency) await new Promise<void>((resolve) => (freed = resolve));
      if (stop.signal.aborted) break;
      active++;
      one(item)
        .catch((error) => {
          failure ??= error;
          stop.abort(error);
        })
        .finally(release);
    }
    if (active > 0) await new Promise<void>((resolve) => (drained = resolve));
    await flush();
    await writing;
  } finally {
    clearInterval(timer);
    await Promise.all([closeQuietly(targets), closeQuietly(judges)]);
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (failure) throw failure;
  if (budgetHit) throw budgetHit;
}

const closeQuietly = (caller: ModelCaller) => caller.close().catch(() => {});

/** Judges' caller, made on their first call: most runs' evaluators call no model. */
function lazyCaller(make: () => ModelCaller): ModelCaller {
  let made: ModelCaller | null = null;
  return {
    call: (url, body, signal) => {
      made ??= make();
      return made.call(url, body, signal);
    },
    close: () => made?.close() ?? Promise.resolve(),
  };
}

interface OneDeps {
  db: Db;
  projectId: string;
  targets: ModelCaller;
  judges: ModelCaller;
  signal: AbortSignal;
}

/** One case x target x trial to its result; null when the run was stopped first (it runs again on resume). */
async function runOne(
  deps: OneDeps,
  specs: EvaluatorSpec[],
  { c, plan, trial }: { c: EvalCase; plan: TargetPlan; trial: number },
): Promise<EvalResultRow | null> {
  const base = {
    targetId: plan.id,
    caseIndex: c.index,
    trial,
    input: c.input,
    expected: c.expected ?? null,
    scores: [],
    score: null,
    passed: null,
    latencyMs: null,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    evalCostUsd: 0,
    requestId: null,
    entry: null,
  };
  let body: Record<string, unknown>;
  try {
    body = await requestBody(deps, plan, c);
  } catch (error) {
    // A case the prompt cannot render (a missing variable) is that case's failure, not the run's.
    if (error instanceof DomainError) return { ...base, output: null, error: `Rendering the prompt: ${error.message}` };
    throw error;
  }
  const reply = await deps.targets.call("/v1/chat/completions", body, deps.signal);
  if (!reply) return null;
  const called = {
    ...base,
    latencyMs: reply.latencyMs,
    tokensIn: reply.tokensIn,
    tokensOut: reply.tokensOut,
    costUsd: reply.costUsd,
    requestId: reply.requestId,
    entry: reply.entry,
  };
  if (!reply.ok)
    return { ...called, output: null, error: reply.error?.message ?? `The gateway answered ${reply.statusCode}` };
  const output = answerText(reply.body);
  let scored: Awaited<ReturnType<typeof scoreSample>>;
  try {
    scored = await scoreSample(
      { db: deps.db, projectId: deps.projectId, callModel: deps.judges.call, signal: deps.signal },
      specs,
      sampleOf(c, output),
    );
  } catch (error) {
    if (deps.signal.aborted) return null;
    if (error instanceof DomainError) return { ...called, output, error: `Scoring: ${error.message}` };
    throw error;
  }
  return {
    ...called,
    output,
    error: null,
    scores: scored.scores,
    score: scored.score,
    passed: scored.passed,
    evalCostUsd: scored.costUsd,
  };
}

/**
 * Ends a run: its summary from the stored results (per target and evaluator; gates when it has thresholds),
 * written with the final status. Safe to call twice (the second finds it final and changes nothing).
 */
export async function finalizeEvalRun(
  db: Db,
  runId: string,
  status: "completed" | "failed" | "cancelled",
  error?: string,
): Promise<{ status: string }> {
  const run = await db.evalRun.findUniqueOrThrow({
    where: { id: runId },
    include: { targets: { orderBy: { position: "asc" }, select: { id: true, position: true, label: true } } },
  });
  if (FINAL_EVAL_RUN_STATUSES.includes(run.status as never)) return { status: run.status };
  const config = run.config as unknown as EvalRunConfig;
  const summary = runSummary(run.targets, await loadSummaryRows(runId), {
    thresholds: (config.thresholds ?? []) as Threshold[],
    baselinePosition: config.baselineTarget ?? null,
  });
  const json = (value: unknown) => value as Prisma.InputJsonValue;
  await db.$transaction([
    ...summary.targets.map((t) => db.evalTarget.update({ where: { id: t.targetId }, data: { summary: json(t) } })),
    db.evalRun.updateMany({
      where: { id: runId, status: { notIn: [...FINAL_EVAL_RUN_STATUSES] } },
      data: { status, summary: json(summary), error: error ?? null, finishedAt: new Date() },
    }),
  ]);
  return { status };
}
