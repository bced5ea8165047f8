import type { z } from "zod";
import { requireScope } from "@/server/auth/caller";
import type { DbTx } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { PROMPT_LABEL_CHANNEL } from "@/server/modules/prompts/cache";
import { findPrompt } from "@/server/modules/prompts/find";
import type { labelEvent, moveLabelInput, protectLabelInput } from "@/server/modules/prompts/schemas";
import { assertReleaseAllowed, overrideNote } from "@/server/modules/releases/enforce";

type LabelEvent = z.infer<typeof labelEvent>;

/**
 * Points a label at a version and records the move, in one transaction that
 * also notifies every process (LISTEN/NOTIFY) so cached fetch-by-label
 * answers are dropped the moment it commits.
 */
export async function moveLabel(
  deps: ServiceDeps & { tx?: DbTx },
  input: z.output<typeof moveLabelInput>,
): Promise<LabelEvent> {
  const { caller } = deps;
  const work = async (tx: DbTx) => {
    const prompt = await findPrompt(tx, caller.projectId, input.promptId);
    const target = await tx.promptVersion.findUnique({
      where: { promptId_version: { promptId: prompt.id, version: input.version } },
    });
    if (!target)
      throw new DomainError("NOT_FOUND", `Prompt '${prompt.name}' has no version ${input.version}`, [
        { path: "version", message: "No such version" },
      ]);
    const current = await tx.$queryRaw<{ version: number; protected: boolean }[]>`
      SELECT v.version, l.protected FROM prompt_labels l JOIN prompt_versions v ON v.id = l.version_id
      WHERE l.prompt_id = ${prompt.id}::uuid AND l.name = ${input.label} FOR UPDATE OF l`;
    const existing = current[0];
    if (existing?.protected)
      requireScope(caller, "prompts:protect", `'${input.label}' is protected: only owners and admins can move it`);
    if (existing?.version === input.version)
      throw new DomainError("CONFLICT", `'${input.label}' already points at version ${input.version}`);
    const release = await assertReleaseAllowed(tx, {
      projectId: caller.projectId,
      subjectType: "prompt",
      subjectId: prompt.id,
      label: input.label,
      versionId: target.id,
      actor: caller.actor,
      scopes: caller.scopes,
      ...(input.overridePolicy ? { override: { reason: input.reason } } : {}),
    });
    const reason = overrideNote(release, input.reason);
    await tx.promptLabel.upsert({
      where: { promptId_name: { promptId: prompt.id, name: input.label } },
      create: { promptId: prompt.id, name: input.label, versionId: target.id },
      update: { versionId: target.id },
    });
    const event = await tx.promptLabelEvent.create({
      data: {
        promptId: prompt.id,
        label: input.label,
        fromVersion: existing?.version ?? null,
        toVersion: input.version,
        reason,
        actorLabel: caller.actor.label,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "prompt.label.move",
      targetType: "prompt",
      targetId: prompt.id,
      summary: {
        prompt: prompt.name,
        label: input.label,
        from: existing?.version ?? null,
        to: input.version,
        reason,
        ...(release.evidenceRunId ? { evalRunId: release.evidenceRunId } : {}),
      },
    });
    await tx.$executeRaw`SELECT pg_notify(${PROMPT_LABEL_CHANNEL}, ${JSON.stringify({ projectId: caller.projectId, name: prompt.name })})`;
    return event;
  };
  return deps.tx ? work(deps.tx) : deps.db.$transaction(work);
}

/** Protects or unprotects a label; the procedure requires `prompts:protect`, and so does this. */
export async function setLabelProtection(deps: ServiceDeps, input: z.output<typeof protectLabelInput>) {
  const { caller } = deps;
  requireScope(caller, "prompts:protect", "Only owners and admins can protect labels");
  return deps.db.$transaction(async (tx) => {
    const prompt = await findPrompt(tx, caller.projectId, input.promptId);
    const label = await tx.promptLabel.findUnique({
      where: { promptId_name: { promptId: prompt.id, name: input.label } },
    });
    if (!label) throw notFound("Label", input.label);
    await tx.promptLabel.update({ where: { id: label.id }, data: { protected: input.protected } });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: input.protected ? "prompt.label.protect" : "prompt.label.unprotect",
      targetType: "prompt",
      targetId: prompt.id,
      summary: { prompt: prompt.name, label: input.label },
    });
    return { label: input.label, protected: input.protected };
  });
}

export async function labelHistory(deps: ProjectDeps, { promptId, label }: { promptId: string; label?: string }) {
  await findPrompt(deps.db, deps.caller.projectId, promptId);
  return deps.db.promptLabelEvent.findMany({
    where: { promptId, ...(label ? { label } : {}) },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
}
