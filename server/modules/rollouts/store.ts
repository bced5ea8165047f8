// Every change of a rollout goes through `transition`: one conditional UPDATE (the status the caller saw must
// still be the status now, so a person's pause and the analysis's advance cannot both win), its event, its audit
// row and the NOTIFY that tells every gateway process to reload its live rollouts — in one transaction.
import type { Actor } from "@/server/auth/principal";
import type { Db, DbTx } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Prisma, Rollout } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";

/** Every process's gateway LISTENs here and drops its live-rollout cache (payload: the project id). */
export const ROLLOUTS_CHANNEL = "switchyard_rollouts";

/** The automatic actor: the analysis job's advances, rollbacks and promotions are recorded under this name. */
export const ANALYSIS_ACTOR: Actor = { type: "system", userId: null, keyId: null, label: "rollout analysis" };

export async function notifyRollouts(tx: DbTx | Db, projectId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${ROLLOUTS_CHANNEL}, ${projectId})`;
}

export async function recordEvent(
  tx: DbTx | Db,
  rolloutId: string,
  kind: string,
  detail: Record<string, unknown>,
  actor: Actor,
): Promise<void> {
  await tx.rolloutEvent.create({
    data: { rolloutId, kind, detail: detail as Prisma.InputJsonValue, actorLabel: actor.label },
  });
}

export interface Transition {
  /** The statuses the change applies from (a rollout in any other is a 409). */
  from: readonly string[];
  /** The step the caller acted on (the analysis advances only the step it judged). */
  atStep?: number;
  data: Prisma.RolloutUpdateManyMutationInput;
  event: { kind: string; detail: Record<string, unknown> };
  audit: string;
}

export async function transition(tx: DbTx, rollout: Rollout, actor: Actor, change: Transition): Promise<Rollout> {
  const { count } = await tx.rollout.updateMany({
    where: {
      id: rollout.id,
      status: { in: [...change.from] },
      ...(change.atStep !== undefined ? { currentStep: change.atStep } : {}),
    },
    data: change.data,
  });
  if (count === 0) {
    const now = await tx.rollout.findUnique({ where: { id: rollout.id }, select: { status: true } });
    throw new DomainError(
      "CONFLICT",
      `The rollout is ${now?.status ?? "gone"}${change.atStep !== undefined ? " or moved on to another step" : ""}: ${change.event.kind} applies to a ${change.from.join(" or ")} rollout`,
    );
  }
  await recordEvent(tx, rollout.id, change.event.kind, change.event.detail, actor);
  await recordAudit(tx, actor, {
    projectId: rollout.projectId,
    action: change.audit,
    targetType: "rollout",
    targetId: rollout.id,
    summary: { label: rollout.label, subjectType: rollout.subjectType, ...change.event.detail },
  });
  await notifyRollouts(tx, rollout.projectId);
  return tx.rollout.findUniqueOrThrow({ where: { id: rollout.id } });
}
