import { z } from "zod";
import { queryInt } from "@/lib/query-params";

/** Batches (`/v1/batches`) as the console shows them. Browser-safe: the page and the router share it. */
export const BATCH_STATUSES = [
  "validating",
  "in_progress",
  "finalizing",
  "completed",
  "failed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
/** Statuses after which nothing changes: the page stops refreshing, Cancel is off. */
export const FINAL_BATCH_STATUSES: readonly string[] = ["completed", "failed", "expired", "cancelled"];

const storedFileOut = z.object({
  id: z.string(),
  filename: z.string(),
  bytes: z.number(),
  lineCount: z.number().int().nullable(),
  /** False when the file was deleted (or has expired): its id stays on the batch, its bytes are gone. */
  available: z.boolean(),
});
export type StoredFileOut = z.infer<typeof storedFileOut>;

export const batchOut = z.object({
  id: z.string(),
  endpoint: z.string(),
  /** One of BATCH_STATUSES (kept a string: a status the executor adds later still shows). */
  status: z.string(),
  /** `gateway` (every line through our pipeline) or `upstream` (forwarded to the upstream's own Batch API). */
  mode: z.string(),
  upstreamBatchId: z.string().nullable(),
  completionWindow: z.string(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  requestCounts: z.object({ total: z.number().int(), completed: z.number().int(), failed: z.number().int() }),
  inputFile: storedFileOut.nullable(),
  outputFile: storedFileOut.nullable(),
  errorFile: storedFileOut.nullable(),
  /** The ids as stored, also when the file row is gone. */
  inputFileId: z.string(),
  outputFileId: z.string().nullable(),
  errorFileId: z.string().nullable(),
  errors: z.unknown(),
  jobId: z.string().nullable(),
  createdAt: z.date(),
  inProgressAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  failedAt: z.date().nullable(),
  cancelledAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
});
export type BatchOut = z.infer<typeof batchOut>;

export const listBatchesInput = z.object({
  status: z.enum(BATCH_STATUSES).optional(),
  /** The id of the last batch of the previous page (newest first). */
  cursor: z.string().max(100).optional(),
  limit: queryInt(1, 100).default(50),
});
export const listBatchesOut = z.object({ items: z.array(batchOut), nextCursor: z.string().nullable() });

export const batchIdInput = z.object({ id: z.string().min(1).max(100) });

/** Where the console downloads a stored file's bytes (session cookie; the file's own project). */
export const fileDownloadPath = (fileId: string) => `/api/rest/files/${encodeURIComponent(fileId)}/download`;
