import { requestLogWriter } from "@/server/modules/request-log/runtime";
import type { RequestLogSink } from "@/server/modules/request-log/types";

/** The process-wide request-log sink the mounted gateway writes to: the batching writer (one row per request). */
export function gatewaySink(): RequestLogSink {
  return requestLogWriter();
}
