import type { z } from "zod";
import type { Actor } from "@/server/auth/principal";
import type { Db, DbTx } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import type { AuditSummary, auditPage, listAuditInput } from "@/server/modules/audit/schemas";
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
  const where: Prisma.AuditLogWhereInput = {
    projectId: deps.caller.projectId,
    ...(input.action ? { action: { startsWith: input.action } } : {}),
    ...(input.actor ? { actorLabel: { contains: input.actor, mode: "insensitive" } } : {}),
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
