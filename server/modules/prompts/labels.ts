import type { z } from "zod";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import { PROMPT_LABEL_CHANNEL } from "@/server/modules/prompts/cache";
import { type labelEvent, moveLabelInput, protectLabelInput } from "@/server/modules/prompts/schemas";
import { findPrompt, type PromptCaller } from "@/server/modules/prompts/service";

type LabelEvent = z.infer<typeof labelEvent>;

/** Owners and admins (and admin-level keys) may move protected labels. */
export interface LabelCaller extends PromptCaller {
  mayMoveProtected: boolean;
}

/**
 * Points a label at a version and records the move, in one transaction that
 * also notifies every process (LISTEN/NOTIFY) so cached fetch-by-label
 * answers are dropped the moment it commits.
 */
export async function moveLabel(
  deps: { db: Db },
  caller: LabelCaller,
  raw: z.input<typeof moveLabelInput>,
  tx0?: Parameters<Parameters<Db["$transaction"]>[0]>[0],
): Promise<LabelEvent> {
  const input = moveLabelInput.parse(raw);
  const work = async (tx: Parameters<Parameters<Db["$transaction"]>[0]>[0]) => {
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
    if (existing?.protected && !caller.mayMoveProtected)
      throw new DomainError("FORBIDDEN", `'${input.label}' is protected: only owners and admins can move it`);
    if (existing?.version === input.version)
      throw new DomainError("CONFLICT", `'${input.label}' already points at version ${input.version}`);
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
        reason: input.reason,
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
        reason: input.reason,
      },
    });
    await tx.$executeRaw`SELECT pg_notify(${PROMPT_LABEL_CHANNEL}, ${JSON.stringify({ projectId: caller.projectId, name: prompt.name })})`;
    return event;
  };
  return tx0 ? work(tx0) : deps.db.$transaction(work);
}

export async function setLabelProtection(
  deps: { db: Db },
  caller: LabelCaller,
  raw: z.input<typeof protectLabelInput>,
) {
  const input = protectLabelInput.parse(raw);
  if (!caller.mayMoveProtected) throw new DomainError("FORBIDDEN", "Only owners and admins can protect labels");
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

export async function labelHistory(deps: { db: Db }, projectId: string, promptId: string, label?: string) {
  await findPrompt(deps.db, projectId, promptId);
  return deps.db.promptLabelEvent.findMany({
    where: { promptId, ...(label ? { label } : {}) },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
}
