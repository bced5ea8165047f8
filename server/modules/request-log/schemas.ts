// Inputs of the request-log dashboards and explorer (no server-only imports:
// console forms and charts reuse them).
import { z } from "zod";

const uuid = (name: string) => z.string().uuid(`${name} must be a UUID`);

/** Largest number of points an overview returns. */
export const MAX_POINTS = 2000;
/** Steps the overview picks from when none is given (seconds); any multiple of 60 is accepted. */
export const NICE_STEPS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400] as const;

const timeRange = {
  projectId: uuid("projectId"),
  from: z.coerce.date(),
  to: z.coerce.date(),
};
const rangeIsOrdered = (input: { from: Date; to: Date }) => input.from.getTime() < input.to.getTime();
const orderedMessage = { message: "`from` must be before `to`", path: ["to"] };

/**
 * Narrows the overview to one value of one dimension (the rollups are kept
 * per dimension, not per combination: give at most one).
 */
export const rollupFilter = {
  modelVersionId: uuid("modelVersionId").optional(),
  promptVersionId: uuid("promptVersionId").optional(),
  variantId: uuid("variantId").optional(),
  apiKeyId: uuid("apiKeyId").optional(),
};

export const overviewInput = z
  .object({
    ...timeRange,
    /** Seconds per point, a multiple of 60; default: the smallest nice step giving at most ~200 points. */
    step: z
      .number()
      .int()
      .min(60)
      .max(31 * 86400)
      .refine((step) => step % 60 === 0, "step must be a whole number of minutes")
      .optional(),
    ...rollupFilter,
  })
  .refine(rangeIsOrdered, orderedMessage)
  .refine((input) => Object.keys(rollupFilter).filter((key) => input[key as keyof typeof input]).length <= 1, {
    message: "Filter by one of modelVersionId, promptVersionId, variantId, apiKeyId at a time",
    path: ["modelVersionId"],
  });
export type OverviewInput = z.input<typeof overviewInput>;

export const BREAKDOWN_DIMENSIONS = ["model", "prompt", "variant", "key"] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

export const breakdownInput = z
  .object({
    ...timeRange,
    by: z.enum(BREAKDOWN_DIMENSIONS),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .refine(rangeIsOrdered, orderedMessage);
export type BreakdownInput = z.input<typeof breakdownInput>;

export const getRequestInput = z.object({
  projectId: uuid("projectId"),
  id: uuid("id"),
  /** When known (e.g. from the explorer row), limits the lookup to one partition. */
  startedAt: z.coerce.date().optional(),
});
export type GetRequestInput = z.input<typeof getRequestInput>;

export const requestLogSettingsInput = z.object({
  retentionDays: z.number().int().min(1).max(3650).optional(),
  daysAhead: z.number().int().min(0).max(60).optional(),
  rollupRetentionDays: z.number().int().min(1).max(36500).optional(),
});
export type RequestLogSettingsInput = z.input<typeof requestLogSettingsInput>;

// Outputs of the dashboards and explorer (the monitoring procedures' `.output()`).

const nullableNumber = z.number().nullable();
const requestMetricsOut = z.object({
  requests: z.number(),
  errors: z.number(),
  clientErrors: z.number(),
  serverErrors: z.number(),
  errorRate: nullableNumber,
  tokensIn: z.number(),
  tokensOut: z.number(),
  costUsd: z.number(),
  cacheHits: z.number(),
  cacheHitRatio: nullableNumber,
  latencyMs: z.object({
    avg: nullableNumber,
    p50: nullableNumber,
    p95: nullableNumber,
    p99: nullableNumber,
    max: nullableNumber,
  }),
  ttftMs: z.object({ count: z.number(), p50: nullableNumber, p95: nullableNumber, p99: nullableNumber }),
});

export const overviewOut = z.object({
  projectId: z.string(),
  from: z.date(),
  to: z.date(),
  step: z.number(),
  source: z.enum(["minute", "hour"]),
  points: z.array(
    requestMetricsOut.extend({
      t: z.date(),
      requestsPerSecond: z.number(),
      tokensInPerSecond: z.number(),
      tokensOutPerSecond: z.number(),
    }),
  ),
  totals: requestMetricsOut,
});

export const breakdownOut = z.object({
  projectId: z.string(),
  from: z.date(),
  to: z.date(),
  by: z.enum(BREAKDOWN_DIMENSIONS),
  rows: z.array(
    requestMetricsOut.extend({ key: z.string().nullable(), label: z.string().nullable(), share: z.number() }),
  ),
  totals: requestMetricsOut,
  groups: z.number(),
});

const guardrailRecordOut = z.object({
  stage: z.string(),
  rule: z.string(),
  action: z.string(),
  count: z.number().optional(),
  kinds: z.record(z.string(), z.number()).optional(),
  score: z.number().optional(),
  matched: z.array(z.string()).optional(),
});

const requestSummaryOut = z.object({
  id: z.string(),
  projectId: z.string(),
  apiKeyId: z.string().nullable(),
  startedAt: z.date(),
  method: z.string(),
  path: z.string(),
  requestedModel: z.string().nullable(),
  modelId: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  promptVersionId: z.string().nullable(),
  experimentId: z.string().nullable(),
  variantId: z.string().nullable(),
  deployment: z.string().nullable(),
  status: z.number(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  stream: z.boolean(),
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
  tokensIn: z.number(),
  tokensOut: z.number(),
  costUsd: z.number(),
  cacheHit: z.boolean(),
  guardrails: z.array(guardrailRecordOut),
  userId: z.string().nullable(),
  /** `stop`, `length`, `tool_calls`, `content_filter`; null without an answer (or logged before it was recorded). */
  finishReason: z.string().nullable(),
  /** The tools the model called, in order, each once; null when it called none. */
  toolNames: z.array(z.string()).nullable(),
  /** Of tokensIn: read from / written to the provider's prompt cache. Of tokensOut: reasoning. Null: not reported. */
  cachedTokens: z.number().int().nullable(),
  cacheWriteTokens: z.number().int().nullable(),
  reasoningTokens: z.number().int().nullable(),
  /** What the request sent: text, image, audio, file, and tools when it offered any. */
  modalities: z.array(z.string()).nullable(),
  /** The x-switchyard-session header the request carried. */
  sessionId: z.string().nullable(),
  /** The batch (`/v1/batches`) this request was a line of; null for live traffic. */
  batchId: z.string().nullable(),
  /** The in-process engine's device that ran a local model (`cpu`, `cuda`, `webgpu`); null for upstream ones. */
  device: z.string().nullable(),
});

export const requestPageOut = z.object({ items: z.array(requestSummaryOut), nextCursor: z.string().nullable() });

/** A logged request with its bodies: stored JSON, as the project's privacy setting allowed (or null). */
export const requestEntryOut = requestSummaryOut.extend({
  requestBody: z.json().nullable(),
  responseBody: z.json().nullable(),
});

// Spend: cost by model version, API key or end user (request_log.user_id).

export const SPEND_DIMENSIONS = ["model", "key", "user"] as const;
export type SpendDimension = (typeof SPEND_DIMENSIONS)[number];
/** Per-user spend reads raw rows (the rollups have no user dimension): at most this many, newest first. */
export const MAX_RAW_SPEND_ROWS = 200_000;

export const spendInput = z
  .object({
    ...timeRange,
    by: z.enum(SPEND_DIMENSIONS),
    /** Rows of the table, most spent first. */
    limit: z.number().int().min(1).max(100).default(10),
    /** How many of the top rows get their own series in the chart (the rest is "other"). */
    series: z.number().int().min(0).max(10).default(5),
  })
  .refine(rangeIsOrdered, orderedMessage);
export type SpendInput = z.input<typeof spendInput>;

const spendAmountsOut = z.object({
  costUsd: z.number(),
  requests: z.number(),
  tokensIn: z.number(),
  tokensOut: z.number(),
});

export const spendOut = z.object({
  projectId: z.string(),
  from: z.date(),
  to: z.date(),
  step: z.number(),
  by: z.enum(SPEND_DIMENSIONS),
  source: z.enum(["minute", "hour", "raw"]),
  totals: spendAmountsOut,
  rows: z.array(
    spendAmountsOut.extend({
      /** Model version id, API key id or user id; null for requests without one. */
      key: z.string().nullable(),
      label: z.string().nullable(),
      /** Share of the range's cost. */
      share: z.number(),
    }),
  ),
  groups: z.number(),
  /** The keys of `points[].costs`, in order: the top rows. */
  seriesKeys: z.array(z.string().nullable()),
  points: z.array(z.object({ t: z.date(), costs: z.array(z.number()), other: z.number() })),
  /** Per-user spend only: the range held more than MAX_RAW_SPEND_ROWS requests, and only the newest were counted. */
  truncated: z.boolean(),
});
