/** POST /v1/messages: Anthropic's Messages API, served through the chat pipeline (see the README). */
import { DomainError } from "@/server/errors";
import type { CompletionDeps } from "./completion-deps";
import type { GatewayFailure } from "./errors";
import type { GatewayHttpRequest } from "./http-request";
import type { GatewayRequest } from "./request-scope";

export async function serveMessages(
  _deps: CompletionDeps,
  _scope: GatewayRequest,
  _req: GatewayHttpRequest,
): Promise<Response> {
  throw new DomainError("NOT_FOUND", "POST /v1/messages is not implemented yet");
}

/** A failure in Anthropic's error shape. */
export function anthropicErrorBody(failure: GatewayFailure) {
  return { type: "error", error: { type: failure.body.error.type, message: failure.message } };
}
