import { z } from "zod";

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
export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ["failed", "completed", "expired", "cancelled"];

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
