import { type DomainError, toDomainError } from "@/server/errors";
import { ProviderError } from "@/server/modules/providers/errors";

export interface GatewayFailure {
  status: number;
  /** DomainError code (or INTERNAL), for the log. */
  code: string;
  message: string;
  body: { error: { message: string; type: string; code: string | null; param: string | null } };
  /** Sent as `retry-after` when set. */
  retryAfterSeconds?: number;
}

/**
 * The one table in `server/errors.ts` decides status and type; the gateway
 * adds a single refinement it has no code for: an upstream that timed out is
 * 504 Gateway Timeout, not 502. Anything unexplained is a 500 that names the
 * request id and never carries a stack trace (it is logged here instead).
 */
export function toGatewayFailure(error: unknown, requestId: string): GatewayFailure {
  const domain = toDomainError(error);
  if (!domain) {
    console.error(`[gateway] request ${requestId} failed`, error);
    const message = `Internal error (request ${requestId})`;
    return {
      status: 500,
      code: "INTERNAL",
      message,
      body: { error: { message, type: "api_error", code: "internal", param: null } },
    };
  }
  return { status: statusOf(domain), code: domain.code, message: domain.message, body: domain.toOpenAI() };
}

function statusOf(error: DomainError): number {
  if (error instanceof ProviderError && error.code === "UPSTREAM" && /\btimed out after\b/.test(error.message))
    return 504;
  return error.httpStatus;
}

/** A failure the gateway raises about the HTTP exchange itself (unknown route, wrong method). */
export function routeFailure(status: 404 | 405, message: string): GatewayFailure {
  return {
    status,
    code: status === 404 ? "NOT_FOUND" : "METHOD_NOT_ALLOWED",
    message,
    body: {
      error: {
        message,
        type: status === 404 ? "not_found_error" : "invalid_request_error",
        code: status === 404 ? "not_found" : "method_not_allowed",
        param: null,
      },
    },
  };
}
