import { DomainError, toDomainError } from "@/server/errors";
import { ProviderError } from "@/server/modules/providers/errors";
import { describeError, isDatabaseUnreachable, RepeatedLog } from "@/server/repeated-log";

const unreachable = new RepeatedLog();

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
 * A request that already passed through this gateway, or through too many (`hops.ts`): 508 Loop Detected. The
 * code says BAD_REQUEST for tRPC and REST, which never see it; the gateway answers 508 `loop_detected`.
 */
export class LoopDetectedError extends DomainError {
  constructor(message: string) {
    super("BAD_REQUEST", message);
  }
}

const LOOP_DETECTED = 508;

/**
 * The one table in `server/errors.ts` decides status and type; the gateway
 * adds refinements it has no code for: an upstream that timed out is
 * 504 Gateway Timeout, not 502; a request loop (ours, or one an upstream
 * gateway refused) is 508 Loop Detected. Anything unexplained is a 500 that names the
 * request id and never carries a stack trace (it is logged here instead).
 */
export function toGatewayFailure(error: unknown, requestId: string): GatewayFailure {
  const domain = toDomainError(error);
  if (!domain) {
    // A database outage fails many requests alike: once per interval, without the stack. Anything else is a bug
    // worth its stack trace.
    if (isDatabaseUnreachable(error))
      unreachable.report(
        `[gateway] request ${requestId} failed: the database is unreachable (${describeError(error)})`,
      );
    else console.error(`[gateway] request ${requestId} failed`, error);
    const message = `Internal error (request ${requestId})`;
    return {
      status: 500,
      code: "INTERNAL",
      message,
      body: { error: { message, type: "api_error", code: "internal", param: null } },
    };
  }
  const status = statusOf(domain);
  const body = domain.toOpenAI();
  if (status === LOOP_DETECTED) {
    body.error.code = "loop_detected";
    return { status, code: "LOOP_DETECTED", message: domain.message, body };
  }
  const failure: GatewayFailure = { status, code: domain.code, message: domain.message, body };
  // Our fair share of an upstream's connections, or the upstream's own rate limit: say when to come back.
  if (domain instanceof ProviderError && domain.code === "RATE_LIMITED" && domain.retryAfterMs !== null)
    failure.retryAfterSeconds = Math.max(1, Math.ceil(domain.retryAfterMs / 1000));
  return failure;
}

function statusOf(error: DomainError): number {
  if (error instanceof LoopDetectedError) return LOOP_DETECTED;
  if (error instanceof ProviderError && error.upstreamStatus === LOOP_DETECTED) return LOOP_DETECTED;
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
