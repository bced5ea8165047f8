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
  /** What the route's guardrails did, e.g. [{ stage: "input", rule: "pii", action: "mask", count: 2 }]. */
  guardrails: GuardrailRecord[];
  /** Stored only as the project's privacy setting allows (none / masked / full). */
  requestBody: unknown | null;
  responseBody: unknown | null;
  userId: string | null;
  /** Why the answer ended (`stop`, `length`, `tool_calls`, `content_filter`); null without an answer. */
  finishReason?: string | null;
  /** Tools the model called in the answer (every choice), in order, each once; null when it called none. */
  toolNames?: string[] | null;
  /** Of tokensIn, those read from / written to the provider's prompt cache; null when not reported. */
  cachedTokens?: number | null;
  cacheWriteTokens?: number | null;
  /** Of tokensOut, reasoning tokens; null when not reported. */
  reasoningTokens?: number | null;
  /** What the request sent: `text`, `image`, `audio`, `file` (content parts), and `tools` when it offered any. */
  modalities?: readonly string[] | null;
  /** The `x-switchyard-session` header: the conversation the request belongs to; null without one. */
  sessionId?: string | null;
  /** The batch (`/v1/batches`) this request was a line of; null for live traffic. */
  batchId?: string | null;
  /** The in-process engine's device (`cpu`, `cuda`, `webgpu`) that ran a local model; null for upstream ones. */
  device?: string | null;
}

/**
 * One guardrail action on a request (the gateway pipeline merges repeats of the same stage/rule/action).
 * A type, not an interface, so it stays assignable to Prisma's JSON input.
 */
export type GuardrailRecord = {
  /** `input` or `output`. */
  stage: string;
  /** `blocklist`, `regex:<name>`, `pii`, `injection`, `max_input_tokens`. */
  rule: string;
  /** `block`, `mask` or `flag`. */
  action: string;
  /** Occurrences (masked values, matches; for max_input_tokens the counted tokens). */
  count?: number;
  /** PII occurrences by kind (EMAIL, PHONE...): kinds only, never the values. */
  kinds?: Record<string, number>;
  /** Prompt-injection score (0..1) and the heuristics that matched. */
  score?: number;
  matched?: string[];
};

/** What the gateway needs from the log: a non-blocking append. */
export interface RequestLogSink {
  record(entry: RequestLogEntry): void;
}
