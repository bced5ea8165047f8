/**
 * POST /v1/messages: Anthropic's Messages API, served through the chat pipeline (see the README). The request is
 * translated into a Chat Completions body (`anthropic-wire/request.ts`), served by `serveCompletion`, and its
 * answer translated back: JSON into a Message, SSE chunk by chunk into Anthropic's events.
 */
import { NATIVE_ANTHROPIC_BODY } from "@/server/modules/providers/types";
import { anthropicError, anthropicErrorType } from "./anthropic-wire/errors";
import { FieldMap } from "./anthropic-wire/field-map";
import { stopSequencesOf, toChatBody } from "./anthropic-wire/request";
import { toAnthropicMessage } from "./anthropic-wire/response";
import { anthropicEventStream } from "./anthropic-wire/stream";
import type { CompletionDeps } from "./completion-deps";
import { serveCompletion } from "./completions";
import type { GatewayFailure } from "./errors";
import type { GatewayHttpRequest } from "./http-request";
import { jsonResponse, plainJson } from "./json-response";
import type { GatewayRequest } from "./request-scope";

export async function serveMessages(
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
): Promise<Response> {
  const native = await scope.readBody(req, deps.maxBodyBytes);
  const fields = new FieldMap();
  const chat = toChatBody(native, fields);
  // An Anthropic upstream may send the client's request as it came (fields Chat Completions cannot carry kept).
  (chat as Record<symbol, unknown>)[NATIVE_ANTHROPIC_BODY] = native;
  let answer: Response;
  try {
    answer = await serveCompletion("chat", deps, scope, req, chat);
  } catch (error) {
    // The pipeline names fields of the translated body: name them as the client sent them.
    throw fields.renamed(error);
  }
  return toAnthropicAnswer(answer, scope.id, stopSequencesOf(native));
}

/** The chat pipeline's Response in Anthropic's format, headers (x-request-id, x-switchyard-*) kept. */
async function toAnthropicAnswer(answer: Response, requestId: string, stopSequences: string[]): Promise<Response> {
  const plain = plainJson(answer);
  if (plain) {
    const body = JSON.parse(plain.text) as Record<string, unknown>;
    const translated =
      plain.status === 200 ? toAnthropicMessage(body, requestId, stopSequences) : errorOf(plain.status, body);
    return jsonResponse(translated, { status: plain.status, headers: plain.headers });
  }
  if (!answer.body) return answer; // 499: the client is gone
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (name !== "content-length") headers[name] = value;
  });
  if (!(headers["content-type"] ?? "").startsWith("text/event-stream")) {
    const body = (await answer.json()) as Record<string, unknown>;
    const translated =
      answer.status === 200 ? toAnthropicMessage(body, requestId, stopSequences) : errorOf(answer.status, body);
    return jsonResponse(translated, { status: answer.status, headers });
  }
  return new Response(answer.body.pipeThrough(anthropicEventStream(requestId, stopSequences)), {
    status: answer.status,
    headers,
  });
}

/** An OpenAI-shaped error body (`{error: {message, code}}`) in Anthropic's shape. */
function errorOf(status: number, body: Record<string, unknown>) {
  const error = (body.error ?? {}) as { message?: unknown; code?: unknown };
  const message = typeof error.message === "string" ? error.message : `Request failed with status ${status}`;
  return anthropicError(
    anthropicErrorType(status, typeof error.code === "string" ? error.code.toUpperCase() : null),
    message,
  );
}

/** A failure in Anthropic's error shape: `{type: "error", error: {type, message}}`, the type by status and code. */
export function anthropicErrorBody(failure: GatewayFailure) {
  return anthropicError(anthropicErrorType(failure.status, failure.code), failure.message);
}
