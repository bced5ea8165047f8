// The request log's public surface (server only). Console forms import
// ./schemas directly; the gateway only needs RequestLogSink (./types).
export {
  type Breakdown,
  type BreakdownRow,
  breakdown,
  type Overview,
  type OverviewPoint,
  overview,
} from "./dashboards";
export { getRequest, type RequestPage, type RequestSummary, searchRequests } from "./explorer";
export {
  getRequestLogSettings,
  listPartitions,
  type MaintenanceResult,
  maintainPartitions,
  type RequestLogSettings,
  schedulePartitionMaintenance,
  updateRequestLogSettings,
} from "./maintenance";
export { PROMETHEUS_CONTENT_TYPE, type PrometheusInput, renderPrometheus } from "./prometheus";
export type { Queryable, RequestLogDeps } from "./queryable";
export { requestLogPool, requestLogWriter, shutdownRequestLog, startRequestLogMaintenance } from "./runtime";
export type { RequestLogEntry, RequestLogSink } from "./types";
export { RequestLogWriter, type RequestLogWriterOptions, type RequestLogWriterStats } from "./writer";
