// Test helpers for batches: an input file stored the way an upload stores it (the Files API has its own tests).
import type { Db } from "@/server/db";
import { createStoredFile } from "@/server/modules/files/service";

export async function storeInputFile(db: Db, projectId: string, lines: unknown[]): Promise<string> {
  const content = `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
  const file = await createStoredFile(db, {
    projectId,
    apiKeyId: null,
    purpose: "batch",
    filename: "input.jsonl",
    source: content,
  });
  return file.id;
}

export const chatLine = (customId: string, model: string, content: string, extra: Record<string, unknown> = {}) => ({
  custom_id: customId,
  method: "POST",
  url: "/v1/chat/completions",
  body: { model, messages: [{ role: "user", content }], ...extra },
});
