import { randomUUID } from "node:crypto";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { Prisma } from "@/server/generated/prisma/client";
import { jobEngine } from "./engine";
import type { JobKind } from "./kinds";
import { ensureQueue, HEARTBEAT_SECONDS } from "./queues";

export interface EnqueueInput<P> {
  /** Null for the system's own work. */
  projectId: string | null;
  payload: P;
  subject?: { type: string; id: string };
  /** Enqueuing the same key in the same project again returns the job already there. */
  idempotencyKey?: string;
  maxAttempts?: number;
  /** Who asked: shown in the console. */
  createdBy: { userId: string | null; label: string };
  startAfter?: Date;
}

export interface EnqueuedJob {
  id: string;
  /** False when the idempotency key named a job that already existed. */
  created: boolean;
}

/**
 * Records the job (the project's row) and hands it to the engine. The row comes first: a process that dies
 * between the two leaves a queued row that `resendOrphans` hands over later, never an engine job with no row.
 */
export async function enqueueJob<P>(db: Db, kind: JobKind<P>, input: EnqueueInput<P>): Promise<EnqueuedJob> {
  const payload = kind.payload.parse(input.payload) as Prisma.InputJsonValue;
  if (input.idempotencyKey) {
    const existing = await db.job.findFirst({
      where: { projectId: input.projectId, idempotencyKey: input.idempotencyKey },
      select: { id: true, kind: true },
    });
    if (existing) return sameKind(existing, kind);
  }
  const engineJobId = randomUUID();
  let id: string;
  try {
    const row = await db.job.create({
      data: {
        projectId: input.projectId,
        kind: kind.kind,
        payload,
        subjectType: input.subject?.type ?? null,
        subjectId: input.subject?.id ?? null,
        idempotencyKey: input.idempotencyKey ?? null,
        maxAttempts: input.maxAttempts ?? kind.maxAttempts,
        engineJobId,
        createdById: input.createdBy.userId,
        createdByLabel: input.createdBy.label,
      },
      select: { id: true },
    });
    id = row.id;
  } catch (error) {
    // Two requests with one key at the same moment: the second gets the first's job.
    if (input.idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const existing = await db.job.findFirstOrThrow({
        where: { projectId: input.projectId, idempotencyKey: input.idempotencyKey },
        select: { id: true, kind: true },
      });
      return sameKind(existing, kind);
    }
    throw error;
  }
  await sendToEngine(kind, {
    jobId: id,
    projectId: input.projectId,
    engineJobId,
    maxAttempts: input.maxAttempts ?? kind.maxAttempts,
    startAfter: input.startAfter,
  });
  return { id, created: true };
}

function sameKind(existing: { id: string; kind: string }, kind: JobKind<never> | JobKind<unknown>): EnqueuedJob {
  if (existing.kind !== kind.kind)
    throw new DomainError("CONFLICT", `The idempotency key already names a ${existing.kind} job (${existing.id})`);
  return { id: existing.id, created: false };
}

/** The engine's half: one pg-boss job carrying our job's id, grouped by project for the fair share. */
export async function sendToEngine(
  kind: JobKind<never> | JobKind<unknown>,
  job: { jobId: string; projectId: string | null; engineJobId: string; maxAttempts: number; startAfter?: Date },
): Promise<void> {
  const boss = await jobEngine();
  await ensureQueue(boss, kind);
  await boss.send(
    kind.kind,
    { jobId: job.jobId },
    {
      id: job.engineJobId,
      group: { id: job.projectId ?? "system" },
      retryLimit: Math.max(0, job.maxAttempts - 1),
      retryDelay: kind.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: 300,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      // The engine's own limit is a backstop: our timeout aborts the attempt first.
      expireInSeconds: Math.min(kind.timeoutSeconds + 60, 86_400),
      startAfter: job.startAfter,
    },
  );
}
