/**
 * `/v1/responses`: OpenAI's Responses API, bridged onto the chat pipeline (see the README). A request is
 * translated into a Chat Completions body and served by `serveCompletion` (model resolution, routes, guardrails,
 * cache, log); its answer — JSON, SSE chunks or an error — is translated back, streams chunk by chunk.
 */
import { DomainError, findDomainError } from "@/server/errors";
import type { CompletionDeps } from "./completion-deps";
import { serveCompletion } from "./completions";
import type { GatewayHttpRequest } from "./http-request";
import { jsonResponse, plainJson } from "./json-response";
import type { GatewayRequest } from "./request-scope";
import { invalid, type Json, newId } from "./responses-wire/fields";
import { type ChatMessage, translateInput } from "./responses-wire/input";
import { inputItemsPage, listQuery } from "./responses-wire/list";
import { chatBody, parseResponsesRequest } from "./responses-wire/request";
import { fromChatCompletion, type ResponseHead } from "./responses-wire/response";
import { deleteResponse, loadResponse, type StoredResponse, saveResponse } from "./responses-wire/store";
import { ResponseEvents, translateStream } from "./responses-wire/stream";

export async function serveResponses(deps: CompletionDeps, scope: GatewayRequest, req: GatewayHttpRequest) {
  const raw = await scope.readBody(req, deps.maxBodyBytes);
  const request = parseResponsesRequest(raw);
  const projectId = scope.entry.projectId;
  let previous: StoredResponse | null = null;
  if (request.previousResponseId) {
    try {
      previous = await loadResponse(deps.db, projectId, request.previousResponseId);
    } catch (error) {
      if (findDomainError(error)?.code !== "NOT_FOUND") throw error;
      throw invalid("previous_response_id", `Previous response with id '${request.previousResponseId}' not found.`);
    }
  }
  // The conversation so far: the previous response's (its instructions are not carried over) and its output.
  const earlier = previous ? continuation(previous) : { messages: [], items: [] };
  const body = chatBody(request, earlier.messages);
  const answer = await withResponsesParams(() => serveCompletion("chat", deps, scope, req, body));

  const head: ResponseHead = { id: newId("resp"), createdAt: scope.created, model: request.model, echo: request.echo };
  const store = async (response: Json) => {
    if (!request.store) return;
    try {
      await saveResponse(deps.db, projectId, {
        id: head.id,
        model: request.model,
        messages: [...earlier.messages, ...request.input],
        inputItems: [...earlier.items, ...request.items],
        response,
      });
    } catch (error) {
      // The answer stands without it (the data plane keeps serving while Postgres is away); it just cannot be
      // continued or retrieved.
      console.error(`[gateway] storing response ${head.id} (request ${scope.id}) failed`, error);
    }
  };
  // Errors are in OpenAI's shape already, which is the Responses API's too; a client that left gets no body.
  if (answer.status !== 200) return answer;
  const headers = headersOf(answer);
  if (!request.stream) {
    const response = fromChatCompletion((await answer.json()) as Json, head);
    await store(response);
    return jsonResponse(response, { headers });
  }
  const events = new ResponseEvents(head);
  const stream = translateStream(answer.body as ReadableStream<Uint8Array>, events, store);
  return new Response(stream, { headers: Object.assign(headers, SSE_HEADERS) });
}

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/** A stored response as the start of the next turn: its conversation, then its output as the assistant's turn. */
function continuation(previous: StoredResponse): { messages: ChatMessage[]; items: Json[] } {
  const output = Array.isArray(previous.response.output) ? (previous.response.output as Json[]) : [];
  const answered = translateInput(output, "previous_response_id");
  return { messages: [...previous.messages, ...answered.messages], items: [...previous.inputItems, ...output] };
}

/** The chat answer's headers (request id, what served it), for the translated answer. */
function headersOf(answer: Response): Record<string, string> {
  const plain = plainJson(answer);
  const headers: Record<string, string> = {};
  const source = plain ? Object.entries(plain.headers) : [...answer.headers.entries()];
  for (const [name, value] of source) if (name !== "content-type" && name !== "content-length") headers[name] = value;
  return headers;
}

/**
 * The chat pipeline names the Chat Completions field it refuses (a local model and `response_format`); a Responses
 * client sent another name for it.
 */
const PARAMS: [RegExp, string][] = [
  [/^response_format\b/, "text.format"],
  [/^max_completion_tokens\b/, "max_output_tokens"],
  [/^reasoning_effort\b/, "reasoning.effort"],
  [/^messages(\.[\w.]+)?$/, "input"],
];

async function withResponsesParams(serve: () => Promise<Response>): Promise<Response> {
  try {
    return await serve();
  } catch (error) {
    const domain = findDomainError(error);
    const param = domain?.issues[0]?.path;
    const rule = param ? PARAMS.find(([pattern]) => pattern.test(param)) : undefined;
    if (!domain || !param || !rule) throw error;
    const renamed = param.replace(rule[0], rule[1]);
    throw new DomainError(domain.code, domain.message.replaceAll(param, renamed), [
      { path: renamed, message: domain.issues[0].message },
    ]);
  }
}

/** `GET /v1/responses/{id}`: the stored response object. */
export async function retrieveStoredResponse(
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  id: string,
) {
  if (new URL(req.url).searchParams.get("stream") === "true")
    throw invalid("stream", "streaming a stored response again is not supported by this gateway");
  const stored = await loadResponse(deps.db, scope.entry.projectId, id);
  scope.finish({ status: 200 });
  return jsonResponse(stored.response, { headers: { "x-request-id": scope.id } });
}

/** `DELETE /v1/responses/{id}`. */
export async function deleteStoredResponse(deps: CompletionDeps, scope: GatewayRequest, id: string) {
  await deleteResponse(deps.db, scope.entry.projectId, id);
  scope.finish({ status: 200 });
  return jsonResponse({ id, object: "response", deleted: true }, { headers: { "x-request-id": scope.id } });
}

/** `GET /v1/responses/{id}/input_items`: the input items (the chain's included), newest first unless `order=asc`. */
export async function listStoredInputItems(
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  id: string,
) {
  const query = listQuery(new URL(req.url).searchParams);
  const stored = await loadResponse(deps.db, scope.entry.projectId, id);
  scope.finish({ status: 200 });
  return jsonResponse(inputItemsPage(stored.inputItems, query), { headers: { "x-request-id": scope.id } });
}
