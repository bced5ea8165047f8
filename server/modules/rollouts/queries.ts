// Reading rollouts: the list (with the subject's name and both version numbers) and one rollout's detail (its
// events and the live figures of the current step's window).
import type { z } from "zod";
import type {
  listRolloutsInput,
  RolloutAnalysis,
  RolloutDetailOut,
  RolloutOut,
  RolloutStatus,
  RolloutStep,
} from "@/lib/rollouts/schemas";
import type { Db } from "@/server/db";
import type { Rollout } from "@/server/generated/prisma/client";
import type { ProjectDeps } from "@/server/modules/deps";
import { armMetrics } from "./metrics";
import { findRollout } from "./service";

/** Names and version numbers for a page of rollouts, with two queries per subject type. */
async function describeRollouts(db: Db, rows: Rollout[]): Promise<RolloutOut[]> {
  const ids = (type: string, pick: (r: Rollout) => string[]) => [
    ...new Set(rows.filter((r) => r.subjectType === type).flatMap(pick)),
  ];
  const versions = (r: Rollout) => [r.stableVersionId, r.candidateVersionId];
  const [prompts, models, promptVersions, modelVersions] = await Promise.all([
    db.prompt.findMany({
      where: { id: { in: ids("prompt", (r) => [r.subjectId]) } },
      select: { id: true, name: true },
    }),
    db.model.findMany({ where: { id: { in: ids("model", (r) => [r.subjectId]) } }, select: { id: true, name: true } }),
    db.promptVersion.findMany({ where: { id: { in: ids("prompt", versions) } }, select: { id: true, version: true } }),
    db.modelVersion.findMany({ where: { id: { in: ids("model", versions) } }, select: { id: true, version: true } }),
  ]);
  const names = new Map([...prompts, ...models].map((s) => [s.id, s.name]));
  const numbers = new Map([...promptVersions, ...modelVersions].map((v) => [v.id, v.version]));
  return rows.map((r) => ({
    id: r.id,
    subjectType: r.subjectType as "prompt" | "model",
    subjectId: r.subjectId,
    subjectName: names.get(r.subjectId) ?? "(deleted)",
    label: r.label,
    stableVersionId: r.stableVersionId,
    stableVersion: numbers.get(r.stableVersionId) ?? 0,
    candidateVersionId: r.candidateVersionId,
    candidateVersion: numbers.get(r.candidateVersionId) ?? 0,
    steps: r.steps as RolloutStep[],
    analysis: r.analysis as Record<string, unknown>,
    currentStep: r.currentStep,
    candidatePercent: r.candidatePercent,
    status: r.status as RolloutStatus,
    reason: r.reason,
    webhookUrl: r.webhookUrl,
    stepStartedAt: r.stepStartedAt,
    createdByLabel: r.createdByLabel,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  }));
}

export async function listRollouts(
  deps: ProjectDeps,
  input: z.output<typeof listRolloutsInput>,
): Promise<{ items: RolloutOut[] }> {
  const rows = await deps.db.rollout.findMany({
    where: {
      projectId: deps.caller.projectId,
      ...(input.status ? { status: input.status } : {}),
      ...(input.subjectId ? { subjectId: input.subjectId } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return { items: await describeRollouts(deps.db, rows) };
}

export async function getRollout(deps: ProjectDeps, input: { id: string }): Promise<RolloutDetailOut> {
  const rollout = await findRollout(deps.db, deps.caller.projectId, input.id);
  const [described] = await describeRollouts(deps.db, [rollout]);
  const events = await deps.db.rolloutEvent.findMany({
    where: { rolloutId: rollout.id },
    orderBy: { createdAt: "asc" },
    take: 1000,
  });
  const to = rollout.finishedAt ?? new Date();
  const arm = (versionId: string) =>
    armMetrics(deps.db, {
      projectId: rollout.projectId,
      subjectType: rollout.subjectType as "prompt" | "model",
      versionId,
      from: rollout.stepStartedAt,
      to,
      analysis: rollout.analysis as RolloutAnalysis,
    });
  const [stable, candidate] = await Promise.all([arm(rollout.stableVersionId), arm(rollout.candidateVersionId)]);
  return {
    ...described,
    events: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      detail: e.detail as Record<string, unknown>,
      actorLabel: e.actorLabel,
      createdAt: e.createdAt,
    })),
    window: { from: rollout.stepStartedAt, to, stable, candidate },
  };
}
