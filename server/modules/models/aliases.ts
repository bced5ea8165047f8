import type { z } from "zod";
import { DomainError, notFound } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import type { aliasEvent, deleteAliasInput, moveAliasInput } from "@/server/modules/models/schemas";
import { findModel } from "@/server/modules/models/service";
import { assertMayRemove, assertReleaseAllowed, overrideNote } from "@/server/modules/releases/enforce";

type AliasEvent = z.infer<typeof aliasEvent>;

/**
 * Points an alias at a version (creating the alias if new) and records the
 * move in the same transaction: the alias history is the deployment log, and
 * a rollback is simply a move back to an earlier version.
 */
export async function moveAlias(deps: ServiceDeps, input: z.output<typeof moveAliasInput>): Promise<AliasEvent> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const model = await findModel(tx, caller.projectId, input.modelId);
    const target = await tx.modelVersion.findUnique({
      where: { modelId_version: { modelId: model.id, version: input.version } },
    });
    if (!target)
      throw new DomainError("NOT_FOUND", `Model '${model.name}' has no version ${input.version}`, [
        { path: "version", message: "No such version" },
      ]);
    // Lock the alias row (if any) so two concurrent moves record a consistent from → to.
    const current = await tx.$queryRaw<{ version: number }[]>`
      SELECT v.version FROM model_aliases a JOIN model_versions v ON v.id = a.version_id
      WHERE a.model_id = ${model.id}::uuid AND a.name = ${input.alias} FOR UPDATE OF a`;
    const fromVersion = current[0]?.version ?? null;
    if (fromVersion === input.version)
      throw new DomainError("CONFLICT", `'${input.alias}' already points at version ${input.version}`);
    const release = await assertReleaseAllowed(tx, {
      projectId: caller.projectId,
      subjectType: "model",
      subjectId: model.id,
      label: input.alias,
      versionId: target.id,
      actor: caller.actor,
      scopes: caller.scopes,
      ...(input.overridePolicy ? { override: { reason: input.reason } } : {}),
    });
    const reason = overrideNote(release, input.reason);
    await tx.modelAlias.upsert({
      where: { modelId_name: { modelId: model.id, name: input.alias } },
      create: { modelId: model.id, name: input.alias, versionId: target.id },
      update: { versionId: target.id },
    });
    const event = await tx.modelAliasEvent.create({
      data: {
        modelId: model.id,
        alias: input.alias,
        fromVersion,
        toVersion: input.version,
        reason,
        actorLabel: caller.actor.label,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "model.alias.move",
      targetType: "model",
      targetId: model.id,
      summary: {
        model: model.name,
        alias: input.alias,
        from: fromVersion,
        to: input.version,
        reason,
        ...(release.evidenceRunId ? { evalRunId: release.evidenceRunId } : {}),
      },
    });
    return event;
  });
}

export async function deleteAlias(deps: ServiceDeps, input: z.output<typeof deleteAliasInput>): Promise<AliasEvent> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const model = await findModel(tx, caller.projectId, input.modelId);
    const alias = await tx.modelAlias.findUnique({
      where: { modelId_name: { modelId: model.id, name: input.alias } },
      include: { version: true },
    });
    if (!alias) throw notFound("Alias", input.alias);
    await assertMayRemove(tx, {
      projectId: caller.projectId,
      subjectType: "model",
      subjectId: model.id,
      label: input.alias,
    });
    await tx.modelAlias.delete({ where: { id: alias.id } });
    const event = await tx.modelAliasEvent.create({
      data: {
        modelId: model.id,
        alias: input.alias,
        fromVersion: alias.version.version,
        toVersion: null,
        reason: input.reason,
        actorLabel: caller.actor.label,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "model.alias.delete",
      targetType: "model",
      targetId: model.id,
      summary: { model: model.name, alias: input.alias, from: alias.version.version },
    });
    return event;
  });
}

export async function aliasHistory(
  deps: ProjectDeps,
  { modelId, alias }: { modelId: string; alias?: string },
): Promise<AliasEvent[]> {
  await findModel(deps.db, deps.caller.projectId, modelId);
  return deps.db.modelAliasEvent.findMany({
    where: { modelId, ...(alias ? { alias } : {}) },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
}
