// Starting a rollout and the actions people take on one (pause, resume, promote, abort). The analysis job's own
// actions are in analysis.ts; both change a rollout only through store.ts `transition`.
import { randomUUID } from "node:crypto";
import { type CreateRolloutInput, createRolloutSchema, LIVE_ROLLOUT_STATUSES } from "@/lib/rollouts/schemas";
import type { Actor } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import type { Prisma, Rollout } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { moveAlias } from "@/server/modules/models/aliases";
import { moveLabel } from "@/server/modules/prompts/labels";
import { endpointRefusal } from "@/server/modules/providers/address-policy";
import { upstreamAllowList } from "@/server/modules/providers/config";
import { notifyRollouts, recordEvent, transition } from "./store";

export interface RolloutDeps {
  db: Db;
  projectId: string;
  /** Who starts it (a person, a key, a workflow); `type`/`keyId` default from `userId`. */
  actor: { userId: string | null; label: string } & Partial<Actor>;
}

const actorOf = (actor: RolloutDeps["actor"]): Actor => ({
  type: actor.type ?? (actor.userId ? "user" : "system"),
  userId: actor.userId,
  keyId: actor.keyId ?? null,
  label: actor.label,
});

/** The ServiceDeps a tRPC procedure has, as the RolloutDeps createRollout takes. */
export const rolloutDepsOf = (deps: ServiceDeps): RolloutDeps => ({
  db: deps.db,
  projectId: deps.caller.projectId,
  actor: deps.caller.actor,
});

const invalid = (path: string, message: string) => new DomainError("VALIDATION", message, [{ path, message }]);

interface Subject {
  name: string;
  stableVersionId: string;
  candidateVersion: number;
}

/** The label's current version (the stable arm) and the candidate, checked to be another version of the subject. */
async function resolveSubject(db: Db, projectId: string, input: ReturnType<typeof createRolloutSchema.parse>) {
  if (input.subjectType === "prompt") {
    const prompt = await db.prompt.findFirst({ where: { id: input.subjectId, projectId } });
    if (!prompt) throw notFound("Prompt", input.subjectId);
    const label = await db.promptLabel.findUnique({
      where: { promptId_name: { promptId: prompt.id, name: input.label } },
    });
    if (!label) throw invalid("label", `Prompt '${prompt.name}' has no label '${input.label}' to roll out on`);
    const candidate = await db.promptVersion.findFirst({
      where: { id: input.candidateVersionId, prompt: { projectId } },
    });
    if (!candidate) throw notFound("Prompt version", input.candidateVersionId);
    return check(prompt.name, label.versionId, candidate, prompt.id, "prompt");
  }
  const model = await db.model.findFirst({ where: { id: input.subjectId, projectId } });
  if (!model) throw notFound("Model", input.subjectId);
  const alias = await db.modelAlias.findUnique({ where: { modelId_name: { modelId: model.id, name: input.label } } });
  if (!alias) throw invalid("label", `Model '${model.name}' has no alias '${input.label}' to roll out on`);
  const candidate = await db.modelVersion.findFirst({ where: { id: input.candidateVersionId, model: { projectId } } });
  if (!candidate) throw notFound("Model version", input.candidateVersionId);
  return check(model.name, alias.versionId, { ...candidate, promptId: candidate.modelId }, model.id, "model");
}

function check(
  name: string,
  stableVersionId: string,
  candidate: { id: string; version: number; promptId: string },
  subjectId: string,
  what: string,
): Subject {
  if (candidate.promptId !== subjectId)
    throw invalid("candidateVersionId", `The candidate is a version of another ${what}, not of '${name}'`);
  if (candidate.id === stableVersionId)
    throw invalid(
      "candidateVersionId",
      `The label already points at version ${candidate.version}: nothing to roll out`,
    );
  return { name, stableVersionId, candidateVersion: candidate.version };
}

function checkWebhook(url: string | undefined) {
  if (!url) return;
  const parsed = new URL(url);
  // Query strings are fine on a webhook; the policy judges the scheme, credentials and host.
  const why = endpointRefusal(`${parsed.origin}${parsed.pathname}`, upstreamAllowList());
  if (why) throw invalid("webhookUrl", `webhookUrl ${why}`);
}

/** Starts a rollout (the label's current version is the stable arm); 409 when one is live on the label. */
export async function createRollout(deps: RolloutDeps, raw: CreateRolloutInput): Promise<{ id: string }> {
  const input = createRolloutSchema.parse(raw);
  checkWebhook(input.webhookUrl);
  const subject = await resolveSubject(deps.db, deps.projectId, input);
  const actor = actorOf(deps.actor);
  const clash = () =>
    new DomainError(
      "CONFLICT",
      `A rollout is already live on ${input.subjectType} '${subject.name}' label '${input.label}': finish it first`,
    );
  const live = await deps.db.rollout.findFirst({
    where: {
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      label: input.label,
      status: { in: [...LIVE_ROLLOUT_STATUSES] },
    },
    select: { id: true },
  });
  if (live) throw clash();
  try {
    return await deps.db.$transaction(async (tx) => {
      const rollout = await tx.rollout.create({
        data: {
          projectId: deps.projectId,
          subjectType: input.subjectType,
          subjectId: input.subjectId,
          label: input.label,
          stableVersionId: subject.stableVersionId,
          candidateVersionId: input.candidateVersionId,
          salt: randomUUID(),
          steps: input.steps as Prisma.InputJsonValue,
          analysis: input.analysis as Prisma.InputJsonValue,
          currentStep: 0,
          candidatePercent: input.steps[0].percent,
          status: "running",
          webhookUrl: input.webhookUrl ?? null,
          createdById: actor.userId,
          createdByLabel: actor.label,
        },
      });
      const detail = {
        subject: subject.name,
        label: input.label,
        candidateVersion: subject.candidateVersion,
        percent: input.steps[0].percent,
      };
      await recordEvent(tx, rollout.id, "started", detail, actor);
      await recordAudit(tx, actor, {
        projectId: deps.projectId,
        action: "rollout.start",
        targetType: "rollout",
        targetId: rollout.id,
        summary: { subjectType: input.subjectType, ...detail },
      });
      await notifyRollouts(tx, deps.projectId);
      return { id: rollout.id };
    });
  } catch (error) {
    // Two starts at once: the partial unique index (one live rollout per label) lets one through.
    throw mapPrismaError(error, clash().message);
  }
}

export async function findRollout(db: Db, projectId: string, id: string): Promise<Rollout> {
  const rollout = await db.rollout.findFirst({ where: { id, projectId } });
  if (!rollout) throw notFound("Rollout", id);
  return rollout;
}

interface ActionInput {
  id: string;
  reason?: string;
}

/** Holds the current share: the analysis keeps judging (and rolls back on a failure) but does not advance. */
export async function pauseRollout(deps: ServiceDeps, input: ActionInput): Promise<Rollout> {
  const rollout = await findRollout(deps.db, deps.caller.projectId, input.id);
  return deps.db.$transaction((tx) =>
    transition(tx, rollout, deps.caller.actor, {
      from: ["running"],
      data: { status: "paused", reason: input.reason || null },
      event: { kind: "paused", detail: { reason: input.reason ?? "", step: rollout.currentStep } },
      audit: "rollout.pause",
    }),
  );
}

/**
 * Resumes a paused rollout. A rollout the analysis paused after a passing step marked `pause: true` moves on to
 * the next step (the person's go-ahead); one paused mid-step continues that step, its window starting again.
 */
export async function resumeRollout(deps: ServiceDeps, input: ActionInput): Promise<Rollout> {
  const rollout = await findRollout(deps.db, deps.caller.projectId, input.id);
  const lastPause = await deps.db.rolloutEvent.findFirst({
    where: { rolloutId: rollout.id, kind: "paused" },
    orderBy: { createdAt: "desc" },
  });
  const awaitingNext = (lastPause?.detail as { awaitingNextStep?: boolean } | null)?.awaitingNextStep === true;
  const steps = rollout.steps as { percent: number }[];
  if (awaitingNext && rollout.currentStep + 1 >= steps.length) return promoteRollout(deps, input);
  const step = awaitingNext ? rollout.currentStep + 1 : rollout.currentStep;
  return deps.db.$transaction((tx) =>
    transition(tx, rollout, deps.caller.actor, {
      from: ["paused"],
      atStep: rollout.currentStep,
      data: {
        status: "running",
        reason: null,
        currentStep: step,
        candidatePercent: steps[step].percent,
        stepStartedAt: new Date(),
      },
      event: { kind: "resumed", detail: { reason: input.reason ?? "", step, percent: steps[step].percent } },
      audit: "rollout.resume",
    }),
  );
}

/** Stops the rollout and sends every request back to the stable version; the label never moved. */
export async function abortRollout(deps: ServiceDeps, input: ActionInput): Promise<Rollout> {
  const rollout = await findRollout(deps.db, deps.caller.projectId, input.id);
  return deps.db.$transaction((tx) =>
    transition(tx, rollout, deps.caller.actor, {
      from: LIVE_ROLLOUT_STATUSES,
      data: { status: "aborted", candidatePercent: 0, reason: input.reason || "aborted", finishedAt: new Date() },
      event: { kind: "aborted", detail: { reason: input.reason ?? "", step: rollout.currentStep } },
      audit: "rollout.abort",
    }),
  );
}

/**
 * Moves the label (alias) to the candidate through the prompts (models) service — so protected labels and
 * release policies apply to a rollout's promotion as to any move — and ends the rollout as promoted.
 * A person calls it at any point; the analysis after the last passing step, as ANALYSIS_ACTOR.
 */
export async function promoteRollout(deps: ServiceDeps, input: ActionInput): Promise<Rollout> {
  const rollout = await findRollout(deps.db, deps.caller.projectId, input.id);
  if (!LIVE_ROLLOUT_STATUSES.includes(rollout.status as "running"))
    throw new DomainError("CONFLICT", `The rollout is ${rollout.status}: only a running or paused one is promoted`);
  const reason = input.reason || `rollout ${rollout.id} promoted`;
  const version = await moveToCandidate(deps, rollout, reason);
  return deps.db.$transaction((tx) =>
    transition(tx, rollout, deps.caller.actor, {
      from: LIVE_ROLLOUT_STATUSES,
      data: { status: "promoted", candidatePercent: 100, reason, finishedAt: new Date() },
      event: { kind: "promoted", detail: { reason, label: rollout.label, version } },
      audit: "rollout.promote",
    }),
  );
}

async function moveToCandidate(deps: ServiceDeps, rollout: Rollout, reason: string): Promise<number> {
  if (rollout.subjectType === "prompt") {
    const [candidate, label] = await Promise.all([
      deps.db.promptVersion.findUniqueOrThrow({ where: { id: rollout.candidateVersionId } }),
      deps.db.promptLabel.findUnique({
        where: { promptId_name: { promptId: rollout.subjectId, name: rollout.label } },
      }),
    ]);
    if (label?.versionId !== candidate.id)
      await moveLabel(deps, {
        promptId: rollout.subjectId,
        label: rollout.label,
        version: candidate.version,
        reason,
        overridePolicy: false,
      });
    return candidate.version;
  }
  const [candidate, alias] = await Promise.all([
    deps.db.modelVersion.findUniqueOrThrow({ where: { id: rollout.candidateVersionId } }),
    deps.db.modelAlias.findUnique({ where: { modelId_name: { modelId: rollout.subjectId, name: rollout.label } } }),
  ]);
  if (alias?.versionId !== candidate.id)
    await moveAlias(deps, {
      modelId: rollout.subjectId,
      alias: rollout.label,
      version: candidate.version,
      reason,
      overridePolicy: false,
    });
  return candidate.version;
}
