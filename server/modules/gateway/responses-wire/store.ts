/**
 * Stored responses (`gateway_responses`): written when a request succeeded with `store` not false, owned by the
 * project, and kept as long as the request log's raw rows (`expires_at` from its retention; the request log's
 * maintenance purges them). An expired response or another project's is not found.
 */
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Json } from "./fields";
import type { ChatMessage } from "./input";

export interface StoredResponse {
  id: string;
  model: string;
  /** The conversation before the answer, as chat messages (the chain's included, instructions not). */
  messages: ChatMessage[];
  /** The input items, the chain's included, oldest first. */
  inputItems: Json[];
  response: Json;
}

/** Inserts the response; its expiry is the request log's retention from now, read in the same statement. */
export async function saveResponse(db: Db, projectId: string, stored: StoredResponse): Promise<void> {
  await db.$executeRaw`INSERT INTO gateway_responses (id, project_id, model, messages, input_items, response, expires_at)
SELECT ${stored.id}, ${projectId}::uuid, ${stored.model}, ${JSON.stringify(stored.messages)}::jsonb,
  ${JSON.stringify(stored.inputItems)}::jsonb, ${JSON.stringify(stored.response)}::jsonb,
  now() + make_interval(days => greatest(coalesce((SELECT retention_days FROM request_log_settings WHERE id = 1), 30), 1))`;
}

const notFound = (id: string) => new DomainError("NOT_FOUND", `Response with id '${id}' not found.`);

/** The project's response `id`, unexpired; 404 otherwise. */
export async function loadResponse(db: Db, projectId: string, id: string): Promise<StoredResponse> {
  const row = await db.gatewayResponse.findFirst({
    where: { id, projectId, expiresAt: { gt: new Date() } },
    select: { id: true, model: true, messages: true, inputItems: true, response: true },
  });
  if (!row) throw notFound(id);
  return {
    id: row.id,
    model: row.model,
    messages: row.messages as ChatMessage[],
    inputItems: row.inputItems as Json[],
    response: row.response as Json,
  };
}

/** Deletes the project's response `id`; 404 when there is none (or it expired). */
export async function deleteResponse(db: Db, projectId: string, id: string): Promise<void> {
  const { count } = await db.gatewayResponse.deleteMany({ where: { id, projectId, expiresAt: { gt: new Date() } } });
  if (count === 0) throw notFound(id);
}
