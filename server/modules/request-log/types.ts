/**
 * One gateway request, as logged (exactly one row per request). The gateway
 * builds it; the request-log writer batches it into Postgres off the hot path.
 */
export interface RequestLogEntry {
  /** Unique request id (also returned to the caller as `x-request-id`). */
  id: string;
  projectId: string;
  apiKeyId: string | null;
  /** When the request arrived. */
  startedAt: Date;
  method: string;
  path: string;
  /** What the caller asked for in `model` (e.g. `support-bot@staging`, `prompt:x@production`). */
  requestedModel: string | null;
  modelId: string | null;
  modelVersionId: string | null;
  promptVersionId: string | null;
  experimentId: string | null;
  variantId: string | null;
  /** Upstream deployment or local device that served it, e.g. `cpu` or `upstream:api.example.com`. */
  deployment: string | null;
  status: number;
  /** Error code (DomainError code) when status >= 400. */
  errorCode: string | null;
  errorMessage: string | null;
  stream: boolean;
  latencyMs: number;
  ttftMs: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  cacheHit: boolean;
  /** e.g. [{ stage: "input", rule: "pii", action: "mask" }] */
  guardrails: { stage: string; rule: string; action: string }[];
  /** Stored only as the project's privacy setting allows (none / masked / full). */
  requestBody: unknown | null;
  responseBody: unknown | null;
  userId: string | null;
}

/** What the gateway needs from the log: a non-blocking append. */
export interface RequestLogSink {
  record(entry: RequestLogEntry): void;
}
