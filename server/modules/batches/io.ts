// The batch executor's one seam to stored files (server/modules/files): read an input file's lines, write a
// result file.
import type { Db } from "@/server/db";
import { createStoredFile, readBatchInput } from "@/server/modules/files/service";

/** The input file's request lines in file order, 1-based line numbers (validated at upload). */
export const readBatchLines = (db: Db, projectId: string, fileId: string) => readBatchInput(db, projectId, fileId);

/** Stores a result file (purpose batch_output) and returns its id. */
export async function writeResultFile(
  db: Db,
  input: { projectId: string; apiKeyId: string | null; filename: string; sourcePath: string; lines: number },
): Promise<string> {
  const file = await createStoredFile(db, {
    projectId: input.projectId,
    apiKeyId: input.apiKeyId,
    purpose: "batch_output",
    filename: input.filename,
    source: { path: input.sourcePath },
  });
  return file.id;
}
