import type { AbortLike } from "@/server/abort";
import { DomainError } from "@/server/errors";

/**
 * Why a request still open at the end of the shutdown grace period was ended: its abort reason. A stream gets it
 * as a final error event and the log row says 503 UNAVAILABLE (not 499: the client did not leave).
 */
export class GatewayShuttingDown extends DomainError {
  constructor(graceMs: number) {
    super(
      "UNAVAILABLE",
      `The gateway is shutting down: the answer was cut at the end of its ${Math.round(graceMs / 1000)} s grace period`,
    );
  }
}

/** The shutdown that aborted this request, or null (not aborted, or aborted because the client left). */
export function shutdownCut(signal: AbortLike): GatewayShuttingDown | null {
  return signal.aborted && signal.reason instanceof GatewayShuttingDown ? signal.reason : null;
}
