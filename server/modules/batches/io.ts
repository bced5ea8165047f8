// The batch executor's one seam to stored files: read an input file's lines, write a result file.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { artifactStore, artifactsRoot } from "@/server/modules/artifacts/store";

export interface BatchLine {
  /** 1-based line number in the input file. */
  line: number;
  customId: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

function blobPath(sha256: string) {
  return path.join(artifactsRoot(), "blobs", sha256.slice(0, 2), sha256);
}

/** The input file's request lines in file order (it was validated at upload; blank lines are skipped). */
export async function* readBatchLines(db: Db, projectId: string, fileId: string): AsyncGenerator<BatchLine> {
  const file = await db.storedFile.findFirst({ where: { id: fileId, projectId, deletedAt: null } });
  if (!file) throw new DomainError("NOT_FOUND", `File ${fileId} not found`);
  const lines = createInterface({ input: createReadStream(blobPath(file.sha256), "utf8"), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    const parsed = JSON.parse(text) as {
      custom_id: string;
      method: string;
      url: string;
      body: Record<string, unknown>;
    };
    yield { line, customId: parsed.custom_id, method: parsed.method, url: parsed.url, body: parsed.body };
  }
}

/** Stores a result file (purpose batch_output) and returns its id. */
export async function writeResultFile(
  db: Db,
  input: { projectId: string; apiKeyId: string | null; filename: string; sourcePath: string; lines: number },
): Promise<string> {
  const { sha256 } = await artifactStore().put(input.sourcePath);
  const { size } = await stat(input.sourcePath);
  const id = `file-${randomBytes(12).toString("hex")}`;
  await db.storedFile.create({
    data: {
      id,
      projectId: input.projectId,
      purpose: "batch_output",
      filename: input.filename,
      bytes: BigInt(size),
      sha256,
      lineCount: input.lines,
      apiKeyId: input.apiKeyId,
    },
  });
  return id;
}
