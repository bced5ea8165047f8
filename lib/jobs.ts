import { z } from "zod";

/** Background jobs (server/modules/jobs): what the console and the REST API show. Browser-safe. */
export const JOB_STATES = ["queued", "running", "retrying", "succeeded", "failed", "cancelling", "cancelled"] as const;
export type JobStateName = (typeof JOB_STATES)[number];
export const FINAL_JOB_STATES: readonly JobStateName[] = ["succeeded", "failed", "cancelled"];

export const jobLogLine = z.object({ at: z.string(), level: z.enum(["info", "warn", "error"]), message: z.string() });

export const jobOut = z.object({
  id: z.string(),
  kind: z.string(),
  state: z.enum(JOB_STATES),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  progressDone: z.number().int(),
  progressTotal: z.number().int().nullable(),
  lastError: z.string().nullable(),
  worker: z.string().nullable(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  updatedAt: z.date(),
});
export type JobOut = z.infer<typeof jobOut>;

export const jobDetailOut = jobOut.extend({
  payload: z.unknown(),
  result: z.unknown(),
  checkpoint: z.unknown(),
  logs: z.array(jobLogLine),
});

export const listJobsInput = z.object({
  state: z.enum(JOB_STATES).optional(),
  kind: z.string().max(100).optional(),
  subjectType: z.string().max(100).optional(),
  subjectId: z.string().max(200).optional(),
  /** The id of the last job of the previous page (newest first). */
  cursor: z.string().uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const listJobsOut = z.object({ items: z.array(jobOut), nextCursor: z.string().nullable() });

export const jobIdInput = z.object({ id: z.string().uuid() });
