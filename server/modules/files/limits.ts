/**
 * Upload limits, read from the environment on each upload (so an operator's change needs only a restart, and a
 * test may set a tiny one). OpenAI's own: 200 MB and 50,000 lines for batch input, 512 MB for other files.
 */
import { DEFAULT_BODY_LIMIT } from "@/server/http/body-limit";
import type { BatchLimits } from "./batch-lines";

const MB = 1024 * 1024;

function positiveNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got '${raw}')`);
  return value;
}

/** The most bytes a file of this purpose may have (SWITCHYARD_FILES_MAX_MB, else 200 MB for batch, 512 MB). */
export function maxFileBytes(purpose: string): number {
  const configured = positiveNumber("SWITCHYARD_FILES_MAX_MB");
  return Math.floor((configured ?? (purpose === "batch" ? 200 : 512)) * MB);
}

/** The most bytes any upload may have before its purpose is known (busboy may meet the file part first). */
export function maxUploadBytes(): number {
  return Math.max(maxFileBytes("batch"), maxFileBytes("other"));
}

export function batchLimits(): BatchLimits {
  return {
    maxLines: Math.floor(positiveNumber("SWITCHYARD_BATCH_MAX_LINES") ?? 50_000),
    // A batch line is one request: no larger than a live request's body may be.
    maxLineBytes: DEFAULT_BODY_LIMIT,
  };
}
