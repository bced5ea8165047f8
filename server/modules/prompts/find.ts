import type { Db, DbTx } from "@/server/db";
import { notFound } from "@/server/errors";

/** A prompt of the project, or NOT_FOUND (a prompt of another project is not found either). */
export async function findPrompt(db: Db | DbTx, projectId: string, id: string) {
  const prompt = await db.prompt.findFirst({ where: { id, projectId } });
  if (!prompt) throw notFound("Prompt", id);
  return prompt;
}
