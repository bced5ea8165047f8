// Finished eval runs written straight to the tables, as the eval-run executor leaves them: what release policies
// and gate verdicts read, without running an evaluation.

import type { GateVerdict, MetricSummary, RunSummary, TargetSummary } from "@/lib/evals/summary";
import type { Db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";

const metric = (mean: number, passRate: number): MetricSummary => ({
  n: 20,
  mean,
  ci: [Math.max(0, mean - 0.1), Math.min(1, mean + 0.1)],
  passRate,
  passCi: [Math.max(0, passRate - 0.1), Math.min(1, passRate + 0.1)],
});

export interface FinishedTarget {
  promptVersionId?: string;
  modelVersionId?: string;
  label?: string;
  /** Mean and pass rate of "overall" and of the "exact" evaluator. */
  score?: number;
  gate?: GateVerdict;
}

export async function insertFinishedRun(
  db: Db,
  input: {
    projectId: string;
    datasetVersionId: string;
    targets: FinishedTarget[];
    baselinePosition?: number | null;
    status?: string;
    finishedAt?: Date;
  },
): Promise<string> {
  const status = input.status ?? "completed";
  const finishedAt = input.finishedAt ?? new Date();
  const run = await db.evalRun.create({
    data: {
      projectId: input.projectId,
      name: "test run",
      status,
      datasetVersionId: input.datasetVersionId,
      totalCases: 20,
      doneCases: status === "completed" ? 20 : 5,
      createdByLabel: "test",
      startedAt: new Date(finishedAt.getTime() - 60_000),
      finishedAt: status === "running" || status === "queued" ? null : finishedAt,
    },
  });
  const summaries: TargetSummary[] = [];
  for (const [position, t] of input.targets.entries()) {
    const row = await db.evalTarget.create({
      data: {
        runId: run.id,
        position,
        label: t.label ?? `target ${position}`,
        promptVersionId: t.promptVersionId ?? null,
        modelVersionId: t.modelVersionId ?? null,
      },
    });
    const score = t.score ?? 0.8;
    const summary: TargetSummary = {
      targetId: row.id,
      position,
      label: row.label,
      results: 20,
      errors: 0,
      overall: metric(score, score),
      evaluators: { exact: metric(score, score) },
      latencyP50Ms: 120,
      latencyP95Ms: 240,
      costUsd: 0.002,
      evalCostUsd: 0,
      tokensIn: 400,
      tokensOut: 200,
      ...(t.gate ? { gate: t.gate } : {}),
    };
    summaries.push(summary);
    if (status === "completed")
      await db.evalTarget.update({
        where: { id: row.id },
        data: { summary: summary as unknown as Prisma.InputJsonValue },
      });
  }
  if (status === "completed") {
    const gated = summaries.filter((s) => s.gate);
    const runSummary: RunSummary = {
      targets: summaries,
      baselinePosition: input.baselinePosition ?? null,
      gatePassed: gated.length ? gated.every((s) => s.gate?.passed) : null,
    };
    await db.evalRun.update({
      where: { id: run.id },
      data: { summary: runSummary as unknown as Prisma.InputJsonValue },
    });
  }
  return run.id;
}

export const passingGate: GateVerdict = {
  passed: true,
  checks: [
    {
      metric: "overall",
      stat: "mean",
      value: 0.8,
      baseline: 0.7,
      passed: true,
      message: "overall mean 0.800 meets the minimum 0.750",
    },
  ],
};

export const failingGate: GateVerdict = {
  passed: false,
  checks: [
    {
      metric: "overall",
      stat: "mean",
      value: 0.6,
      baseline: 0.7,
      passed: true,
      message: "overall mean 0.600 meets the minimum 0.500",
    },
    {
      metric: "exact",
      stat: "pass_rate",
      value: 0.6,
      baseline: 0.7,
      passed: false,
      message: "exact pass rate 60.0 % vs baseline 70.0 %: 10.0 pts worse; no worse than the baseline required",
    },
  ],
};

/** A dataset with one (empty) version: enough for runs and policies to point at. */
export async function makeDatasetVersion(db: Db, projectId: string, name = "golden"): Promise<string> {
  const dataset = await db.dataset.create({ data: { projectId, name, format: "chat" } });
  const version = await db.datasetVersion.create({
    data: {
      datasetId: dataset.id,
      version: 1,
      operation: "import",
      contentHash: name,
      exampleCount: 20,
      createdByLabel: "test",
    },
  });
  return version.id;
}
