// Eval runs written straight into the tables for tests of the results and comparison reads: the rows an eval
// run's executor would store (the case's score is the evaluators' weighted mean, it passes when all pass).
import { randomUUID } from "node:crypto";
import type { TargetSummary } from "@/lib/evals/summary";
import type { Db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";

export interface SeedScore {
  name: string;
  score: number;
  passed?: boolean;
  reason?: string;
  weight?: number;
}

export interface SeedResult {
  target: number;
  caseIndex: number;
  trial?: number;
  output?: string | null;
  /** A failed call: no output, no scores. */
  error?: string;
  scores?: SeedScore[];
  latencyMs?: number;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  requestId?: string;
}

export interface SeedRun {
  projectId: string;
  name?: string;
  status?: string;
  datasetVersionId?: string;
  trials?: number;
  /** Target labels by position, with a written summary where given. */
  targets: { label: string; summary?: Partial<TargetSummary> }[];
  /** The cases by index: what the dataset version holds. */
  cases: { input: unknown; expected?: unknown }[];
  results: SeedResult[];
  runSummary?: Record<string, unknown>;
  createdAt?: Date;
}

/** The evaluator's own verdict when a test gives only a score: passes from 0.5, as the default threshold. */
const verdict = (s: SeedScore) => s.passed ?? s.score >= 0.5;

export async function seedEvalRun(db: Db, seed: SeedRun) {
  const trials = seed.trials ?? 1;
  const run = await db.evalRun.create({
    data: {
      projectId: seed.projectId,
      name: seed.name ?? "seeded run",
      status: seed.status ?? "completed",
      datasetVersionId: seed.datasetVersionId ?? randomUUID(),
      config: { trials, evaluators: [] },
      totalCases: seed.cases.length,
      doneCases: new Set(seed.results.map((r) => r.caseIndex)).size,
      costUsd: seed.results.reduce((s, r) => s + (r.costUsd ?? 0), 0),
      summary: (seed.runSummary ?? undefined) as Prisma.InputJsonValue | undefined,
      createdByLabel: "test",
      createdAt: seed.createdAt,
    },
  });
  const targets: { id: string; position: number; label: string }[] = [];
  for (const [position, t] of seed.targets.entries()) {
    targets.push(
      await db.evalTarget.create({
        data: {
          runId: run.id,
          position,
          label: t.label,
          model: "tiny",
          summary: (t.summary ?? undefined) as Prisma.InputJsonValue | undefined,
        },
      }),
    );
  }
  await db.evalResult.createMany({
    data: seed.results.map((r) => {
      const scores = r.error ? [] : (r.scores ?? []);
      const weights = scores.reduce((s, x) => s + (x.weight ?? 1), 0);
      const score =
        r.error || !scores.length ? null : scores.reduce((s, x) => s + x.score * (x.weight ?? 1), 0) / weights;
      return {
        runId: run.id,
        targetId: targets[r.target].id,
        caseIndex: r.caseIndex,
        trial: r.trial ?? 0,
        input: seed.cases[r.caseIndex].input as Prisma.InputJsonValue,
        expected: (seed.cases[r.caseIndex].expected ?? undefined) as Prisma.InputJsonValue | undefined,
        output: r.error ? null : (r.output ?? ""),
        error: r.error ?? null,
        scores: scores.map((s) => ({
          evaluatorVersionId: randomUUID(),
          name: s.name,
          version: 1,
          type: "contains",
          score: s.score,
          passed: verdict(s),
          reason: s.reason ?? (verdict(s) ? "ok" : "below threshold"),
          weight: s.weight ?? 1,
          costUsd: 0,
        })),
        score,
        passed: r.error ? null : scores.length ? scores.every(verdict) : null,
        latencyMs: r.latencyMs ?? 100,
        tokensIn: r.tokensIn ?? 10,
        tokensOut: r.tokensOut ?? 5,
        costUsd: r.costUsd ?? 0,
        requestId: r.requestId ?? null,
      };
    }),
  });
  return { run, targets };
}
