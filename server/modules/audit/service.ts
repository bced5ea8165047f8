import type { z } from "zod";
import type { Actor } from "@/server/auth/principal";
import type { Db, DbTx } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import type { AuditSummary, auditFacets, auditPage, listAuditInput } from "@/server/modules/audit/schemas";
import type { ProjectDeps } from "@/server/modules/deps";
import { paged } from "@/server/pagination";

export interface AuditRecord {
  projectId: string;
  action: string;
  targetType: string;
  targetId?: string | null;
  summary?: Record<string, unknown>;
}

/** Call inside the mutation's transaction, so the change and its record land together. */
export async function recordAudit(tx: DbTx | Db, actor: Actor, record: AuditRecord): Promise<void> {
  await tx.auditLog.create({
    data: {
      projectId: record.projectId,
      actorType: actor.type,
      actorUserId: actor.userId,
      actorKeyId: actor.keyId,
      actorLabel: actor.label,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId ?? null,
      summary: (record.summary ?? {}) as Prisma.InputJsonValue,
    },
  });
}

export async function listAudit(
  deps: ProjectDeps,
  input: z.output<typeof listAuditInput>,
): Promise<z.infer<typeof auditPage>> {
  // A resource and an action together narrow to both (the action is checked to start with the resource).
  const prefixes = [input.resource ? `${input.resource}.` : null, input.action || null].filter(
    (p): p is string => p !== null,
  );
  const where: Prisma.AuditLogWhereInput = {
    projectId: deps.caller.projectId,
    AND: prefixes.map((p) => ({ action: { startsWith: p } })),
    ...(input.actor ? { actorLabel: { contains: input.actor, mode: "insensitive" } } : {}),
    ...(input.from || input.to
      ? {
          createdAt: {
            ...(input.from ? { gte: new Date(input.from) } : {}),
            ...(input.to ? { lte: new Date(input.to) } : {}),
          },
        }
      : {}),
  };
  return paged(
    input,
    (window) =>
      deps.db.auditLog.findMany({
        where,
        orderBy: { createdAt: "desc" },
        ...window,
      }),
    () => deps.db.auditLog.count({ where }),
    (r) => ({ ...r, summary: (r.summary ?? {}) as AuditSummary }),
  );
}

/** At most this many distinct actions and actors are offered (a project records a few dozen kinds). */
const MAX_FACETS = 200;
/** Actors are taken from this many newest entries (no index on the label: a bounded read, newest first). */
const ACTOR_WINDOW = 5_000;

/**
 * The distinct actions the project's log holds, read as a loose index scan over (project_id, action): one index
 * probe per distinct action, however long the log. And who acted in the newest entries.
 */
export async function auditFacetsOf(deps: ProjectDeps): Promise<z.infer<typeof auditFacets>> {
  const { projectId } = deps.caller;
  const [actions, actors] = await Promise.all([
    deps.db.$queryRaw<{ action: string }[]>`
      WITH RECURSIVE kinds(action, n) AS (
        (SELECT action, 1 FROM audit_log WHERE project_id = ${projectId}::uuid ORDER BY action LIMIT 1)
        UNION ALL
        SELECT (SELECT a.action FROM audit_log a
                 WHERE a.project_id = ${projectId}::uuid AND a.action > kinds.action
                 ORDER BY a.action LIMIT 1), n + 1
          FROM kinds WHERE kinds.action IS NOT NULL AND n < ${MAX_FACETS}
      )
      SELECT action FROM kinds WHERE action IS NOT NULL`,
    deps.db.$queryRaw<{ actor_label: string }[]>`
      SELECT DISTINCT actor_label FROM (
        SELECT actor_label FROM audit_log WHERE project_id = ${projectId}::uuid
         ORDER BY created_at DESC LIMIT ${ACTOR_WINDOW}
      ) recent ORDER BY actor_label LIMIT ${MAX_FACETS}`,
  ]);
  return { actions: actions.map((r) => r.action), actors: actors.map((r) => r.actor_label) };
}
