/** POST /v1/responses: OpenAI's Responses API, bridged onto the chat pipeline (see the README). */
import { DomainError } from "@/server/errors";
import type { CompletionDeps } from "./completion-deps";
import type { GatewayHttpRequest } from "./http-request";
import type { GatewayRequest } from "./request-scope";

export async function serveResponses(
  _deps: CompletionDeps,
  _scope: GatewayRequest,
  _req: GatewayHttpRequest,
): Promise<Response> {
  throw new DomainError("NOT_FOUND", "POST /v1/responses is not implemented yet");
}
