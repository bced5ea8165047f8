import type { RequestLogEntry, RequestLogSink } from "@/server/modules/request-log/types";

const discard: RequestLogSink = { record: (_entry: RequestLogEntry) => {} };

/**
 * The process-wide request-log sink the mounted gateway writes to.
 * PLACEHOLDER: discards entries until the request-log writer lands; swapping
 * it in is this one function's body.
 */
export function gatewaySink(): RequestLogSink {
  return discard;
}
