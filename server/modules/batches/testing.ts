// Test helpers for batches: write an input file straight into the store (the Files API has its own tests).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "@/server/db";
import { artifactStore } from "@/server/modules/artifacts/store";

export async function storeInputFile(db: Db, projectId: string, lines: unknown[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "batch-input-"));
  try {
    const file = path.join(dir, "input.jsonl");
    await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const { sha256, sizeBytes } = await artifactStore().put(file);
    const id = `file-${randomBytes(12).toString("hex")}`;
    await db.storedFile.create({
      data: {
        id,
        projectId,
        purpose: "batch",
        filename: "input.jsonl",
        bytes: BigInt(sizeBytes),
        sha256,
        lineCount: lines.length,
      },
    });
    return id;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const chatLine = (customId: string, model: string, content: string, extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  method: "POST",
  url: "/v1/chat/completions",
  body: { model, messages: [{ role: "user", content }], ...extra },
});
