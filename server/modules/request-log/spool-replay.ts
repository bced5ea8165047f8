// Reads a spool file back in batches for the writer to store again. A line
// that is not a whole JSON object (torn by a crash mid-write, or damaged) is
// skipped and counted: it cannot be stored, and it must not sink its batch.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

export interface ReplayBatches {
  batchSize: number;
  maxBatchBytes: number;
  /** Stores the batch (retrying as it must); a rejection stops the replay, leaving the file in place. */
  write: (parts: string[]) => Promise<void>;
}

/** Feeds the file's rows to `write` in batches, one at a time; resolves with the number of unreadable lines. */
export async function replaySpoolFile(file: string, options: ReplayBatches): Promise<{ unreadable: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let parts: string[] = [];
  let bytes = 0;
  let unreadable = 0;
  try {
    for await (const line of lines) {
      if (line.length === 0) continue;
      if (!isWholeRow(line)) {
        unreadable++;
        continue;
      }
      parts.push(line);
      bytes += line.length;
      if (parts.length >= options.batchSize || bytes >= options.maxBatchBytes) {
        await options.write(parts);
        parts = [];
        bytes = 0;
      }
    }
    if (parts.length > 0) await options.write(parts);
  } finally {
    lines.close();
  }
  return { unreadable };
}

function isWholeRow(line: string): boolean {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
