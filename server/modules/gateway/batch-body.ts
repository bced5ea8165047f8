/**
 * The checks a batch line's body meets at upload: the same ones a live request to its endpoint meets first, so a
 * file that passes runs without a 400 the uploader could have been told about (server/modules/files).
 */
import { toDomainError } from "@/server/errors";
import type { BatchEndpoint } from "@/server/modules/files/batch-lines";
import { checkEmbeddingsBody } from "./embeddings";
import { parseResponsesRequest } from "./responses-wire/request";
import { chatCompletionBody, completionBody } from "./schemas";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What the endpoint would refuse in `body`, its field named (`body.messages.0.role: ...`), or null. */
export function batchBodyProblem(url: BatchEndpoint, body: unknown): string | null {
  if (!isObject(body)) return "body must be a JSON object (the request body)";
  if (typeof body.model !== "string" || !body.model.trim()) return "body.model must be a non-empty string";
  if (body.stream === true) return "body.stream must not be true: a batch line gets one answer, not a stream";
  try {
    if (url === "/v1/chat/completions") chatCompletionBody.parse(body);
    else if (url === "/v1/completions") completionBody.parse(body);
    else if (url === "/v1/embeddings") checkEmbeddingsBody(body);
    else parseResponsesRequest(body);
  } catch (error) {
    const domain = toDomainError(error);
    if (!domain) throw error;
    return `body.${domain.message}`;
  }
  return null;
}
