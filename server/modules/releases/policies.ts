import type { z } from "zod";
import { thresholdSchema } from "@/lib/evals/gate";
import type { DbTx } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import type {
  listPoliciesInput,
  policyKey,
  ReleasePolicyOut,
  ReleaseSubjectType,
  savePolicyInput,
} from "@/server/modules/releases/schemas";

/** The prompt's or model's name, or 404 when it is not in the project (plain SQL: releases imports neither module). */
async function subjectName(
  tx: Pick<DbTx, "$queryRaw">,
  projectId: string,
  subjectType: ReleaseSubjectType,
  subjectId: string,
): Promise<string> {
  const rows =
    subjectType === "prompt"
      ? await tx.$queryRaw<{ name: string }[]>`
          SELECT name FROM prompts WHERE id = ${subjectId}::uuid AND project_id = ${projectId}::uuid`
      : await tx.$queryRaw<{ name: string }[]>`
          SELECT name FROM models WHERE id = ${subjectId}::uuid AND project_id = ${projectId}::uuid`;
  if (!rows[0]) throw notFound(subjectType === "prompt" ? "Prompt" : "Model", subjectId);
  return rows[0].name;
}

const toOut = (row: {
  id: string;
  subjectType: string;
  subjectId: string;
  label: string;
  requirePassingEval: boolean;
  maxAgeHours: number;
  datasetVersionId: string | null;
  thresholds: unknown;
  createdByLabel: string;
  createdAt: Date;
  updatedAt: Date;
}): ReleasePolicyOut => ({
  id: row.id,
  subjectType: row.subjectType as ReleaseSubjectType,
  subjectId: row.subjectId,
  label: row.label,
  requirePassingEval: row.requirePassingEval,
  maxAgeHours: row.maxAgeHours,
  datasetVersionId: row.datasetVersionId,
  thresholds: thresholdSchema.array().parse(row.thresholds ?? []),
  createdByLabel: row.createdByLabel,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** A prompt's or model's policies, one per guarded label. */
export async function listPolicies(
  deps: ProjectDeps,
  input: z.output<typeof listPoliciesInput>,
): Promise<ReleasePolicyOut[]> {
  await subjectName(deps.db, deps.caller.projectId, input.subjectType, input.subjectId);
  const rows = await deps.db.releasePolicy.findMany({
    where: { projectId: deps.caller.projectId, subjectType: input.subjectType, subjectId: input.subjectId },
    orderBy: { label: "asc" },
  });
  return rows.map(toOut);
}

/** Creates or changes the policy on one label (unique per subject and label in the database). */
export async function savePolicy(
  deps: ServiceDeps,
  input: z.output<typeof savePolicyInput>,
): Promise<ReleasePolicyOut> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const name = await subjectName(tx, caller.projectId, input.subjectType, input.subjectId);
    if (input.datasetVersionId) {
      const found = await tx.$queryRaw<{ id: string }[]>`
        SELECT v.id::text FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
        WHERE v.id = ${input.datasetVersionId}::uuid AND d.project_id = ${caller.projectId}::uuid`;
      if (!found[0])
        throw new DomainError("NOT_FOUND", `Dataset version ${input.datasetVersionId} not found`, [
          { path: "datasetVersionId", message: "No such dataset version in this project" },
        ]);
    }
    const where = {
      subjectType_subjectId_label: { subjectType: input.subjectType, subjectId: input.subjectId, label: input.label },
    };
    const before = await tx.releasePolicy.findUnique({ where });
    const fields = {
      requirePassingEval: input.requirePassingEval,
      maxAgeHours: input.maxAgeHours,
      datasetVersionId: input.datasetVersionId,
      thresholds: input.thresholds as Prisma.InputJsonValue,
    };
    const row = await tx.releasePolicy.upsert({
      where,
      create: {
        projectId: caller.projectId,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        label: input.label,
        ...fields,
        createdByLabel: caller.actor.label,
      },
      update: fields,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: before ? "release.policy.update" : "release.policy.create",
      targetType: input.subjectType,
      targetId: input.subjectId,
      summary: {
        name,
        label: input.label,
        ...fields,
        ...(before
          ? {
              before: {
                requirePassingEval: before.requirePassingEval,
                maxAgeHours: before.maxAgeHours,
                datasetVersionId: before.datasetVersionId,
                thresholds: before.thresholds,
              },
            }
          : {}),
      },
    });
    return toOut(row);
  });
}

/** Removes the policy on one label: moves are no longer checked. */
export async function deletePolicy(
  deps: ServiceDeps,
  input: z.output<typeof policyKey>,
): Promise<{ deleted: boolean }> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const name = await subjectName(tx, caller.projectId, input.subjectType, input.subjectId);
    const where = {
      subjectType_subjectId_label: { subjectType: input.subjectType, subjectId: input.subjectId, label: input.label },
    };
    const before = await tx.releasePolicy.findUnique({ where });
    if (!before || before.projectId !== caller.projectId) throw notFound("Release policy", input.label);
    await tx.releasePolicy.delete({ where });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "release.policy.delete",
      targetType: input.subjectType,
      targetId: input.subjectId,
      summary: { name, label: input.label },
    });
    return { deleted: true };
  });
}
