import { type DomainError, toDomainError } from "@/server/errors";

/** The REST error body, used by every non-OpenAI route: `{ error: { message, code, status, issues } }`. */
function restErrorBody(error: DomainError) {
  return { error: { message: error.message, code: error.code, status: error.httpStatus, issues: error.issues } };
}

/** A JSON error response for anything we can explain; rethrows the rest (a bug: logged as 500 by Next). */
export function errorResponse(error: unknown): Response {
  const domain = toDomainError(error);
  if (!domain) throw error;
  return Response.json(restErrorBody(domain), { status: domain.httpStatus });
}
