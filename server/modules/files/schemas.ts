import { z } from "zod";

/** Purposes an upload may name (OpenAI's); `batch_output` is written by the system only. */
export const UPLOAD_PURPOSES = ["batch", "fine-tune", "user_data", "evals", "assistants", "vision"] as const;

/** `expires_after[seconds]`: OpenAI's range, one hour to 30 days. */
export const expiresAfterSeconds = z.coerce
  .number({ message: "expires_after[seconds] must be a number of seconds" })
  .int("expires_after[seconds] must be a whole number of seconds")
  .min(3600, "expires_after[seconds] must be at least 3600 (one hour)")
  .max(2_592_000, "expires_after[seconds] must be at most 2592000 (30 days)");

/** `GET /v1/files` query, OpenAI's names and defaults. */
export const listFilesQuery = z.object({
  after: z.string().min(1).max(100).optional(),
  limit: z.coerce
    .number({ message: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(10_000, "limit must be at most 10000")
    .default(10_000),
  order: z.enum(["asc", "desc"], { message: "order must be asc or desc" }).default("desc"),
  purpose: z.string().max(100).optional(),
});
export type ListFilesQuery = z.output<typeof listFilesQuery>;
