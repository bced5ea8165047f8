import { z } from "zod";
import { queryInt } from "@/lib/query-params";

/** OpenAI's Batch API (`/v1/batches`): the request shapes, browser-safe (the console reads the same objects). */
export const BATCH_ENDPOINTS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses"] as const;
export const BATCH_STATUSES = [
  "validating",
  "failed",
  "in_progress",
  "finalizing",
  "completed",
  "expired",
  "cancelling",
  "cancelled",
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
/** Statuses after which nothing changes: the executor stops, the page stops refreshing, Cancel is off. */
export const FINAL_BATCH_STATUSES: readonly string[] = ["failed", "completed", "expired", "cancelled"];

/** `24h` as OpenAI takes it; also other windows from 1h to 7d, in hours or days. */
const completionWindow = z
  .string()
  .regex(/^[1-9][0-9]{0,2}[hd]$/, "Must be a duration like 24h (hours) or 2d (days)")
  .refine((w) => windowMs(w) >= 3_600_000 && windowMs(w) <= 7 * 86_400_000, "Must be between 1h and 7d");

export function windowMs(window: string): number {
  const n = Number(window.slice(0, -1));
  return window.endsWith("d") ? n * 86_400_000 : n * 3_600_000;
}

export const createBatchInput = z.strictObject({
  input_file_id: z.string().min(1).max(100),
  endpoint: z.enum(BATCH_ENDPOINTS),
  completion_window: completionWindow,
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "At most 16 keys")
    .nullish(),
  output_expires_after: z.unknown().optional(),
});
export type CreateBatchInput = z.output<typeof createBatchInput>;

export const listBatchesQuery = z.object({
  after: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

// The console's view of batches (server/modules/batches/console.ts).
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
