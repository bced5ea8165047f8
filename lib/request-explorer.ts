// The request explorer's filters: one schema for the service, the tRPC/REST input and the console's URL state
// (no server-only imports).
import { z } from "zod";

const uuid = (name: string) => z.string().uuid(`${name} must be a UUID`);

/** An exact status, or a class: ok (< 400), error (>= 400), client_error (4xx), server_error (5xx). */
const STATUS_CLASSES = ["ok", "error", "client_error", "server_error"] as const;
const statusFilter = z.union([z.number().int().min(100).max(999), z.enum(STATUS_CLASSES)]);
export type StatusFilter = z.infer<typeof statusFilter>;

/** Longest time range a text search may cover: it reads the stored bodies of every row in the range. */
const SEARCH_MAX_DAYS = 31;
/** How long one explorer query may run before it is cancelled (one tenant's search must not hold the pool). */
export const EXPLORER_TIMEOUT_MS = 5000;

/** What the route's guardrails did: any action, none at all, or one action. */
const GUARDRAIL_FILTERS = ["any", "none", "block", "mask", "flag"] as const;

/** A caller's free-text value (end-user id, session id, model name): trimmed, bounded, printable. */
const label = (name: string) =>
  z
    .string()
    .trim()
    .min(1, `${name} must not be empty`)
    .max(200, `${name} must be at most 200 characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), `${name} must not contain control characters`);

const bound = (name: string, max: number) =>
  z.number(`${name} must be a number`).finite().min(0, `${name} must be 0 or more`).max(max);

/** Every filter the explorer offers; all optional, combined with AND. */
const requestFilterFields = {
  status: statusFilter.optional(),
  /** A model id (any of its versions). */
  modelId: uuid("modelId").optional(),
  /** A model version id. */
  model: uuid("model").optional(),
  /** What the caller put in `model`, exactly (e.g. `support-bot@production`). */
  requestedModel: label("Requested model").optional(),
  /** An API key id. */
  key: uuid("key").optional(),
  /** The end user (`user` of the request body). */
  user: label("User").optional(),
  /** The `x-switchyard-session` header. */
  session: label("Session").optional(),
  promptVersionId: uuid("promptVersionId").optional(),
  variantId: uuid("variantId").optional(),
  minLatencyMs: bound("Minimum latency", 1e9).optional(),
  maxLatencyMs: bound("Maximum latency", 1e9).optional(),
  minCostUsd: bound("Minimum cost", 1e6).optional(),
  maxCostUsd: bound("Maximum cost", 1e6).optional(),
  guardrail: z.enum(GUARDRAIL_FILTERS, { message: "Guardrail must be any, none, block, mask or flag" }).optional(),
  /** A tool the model called. */
  tool: label("Tool").optional(),
  /** The batch (`/v1/batches`) whose lines these requests were. */
  batch: label("Batch").optional(),
  /** Text in the stored request/response bodies or the error message (case-insensitive). */
  q: z
    .string()
    .trim()
    .min(2, "Search for at least 2 characters")
    .max(200, "Search for at most 200 characters")
    .optional(),
};

type Ranged = { from: Date; to: Date; minLatencyMs?: number; maxLatencyMs?: number };
type Costed = { minCostUsd?: number; maxCostUsd?: number; q?: string };

/** The cross-field rules, shared by every schema built on the filters. */
function refineFilters<T extends z.ZodType<Ranged & Costed>>(schema: T) {
  return schema
    .refine((i) => i.from.getTime() < i.to.getTime(), { message: "`from` must be before `to`", path: ["to"] })
    .refine((i) => i.minLatencyMs === undefined || i.maxLatencyMs === undefined || i.minLatencyMs <= i.maxLatencyMs, {
      message: "Minimum latency must not be above the maximum",
      path: ["maxLatencyMs"],
    })
    .refine((i) => i.minCostUsd === undefined || i.maxCostUsd === undefined || i.minCostUsd <= i.maxCostUsd, {
      message: "Minimum cost must not be above the maximum",
      path: ["maxCostUsd"],
    })
    .refine((i) => !i.q || i.to.getTime() - i.from.getTime() <= SEARCH_MAX_DAYS * 86_400_000, {
      message: `Text search covers at most ${SEARCH_MAX_DAYS} days: narrow the time range`,
      path: ["q"],
    });
}

const page = {
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
};

/** The procedure's input: the project comes from the caller. */
export const requestSearchInput = refineFilters(
  z.object({ from: z.coerce.date(), to: z.coerce.date(), ...requestFilterFields, ...page }),
);

export const searchRequestsInput = refineFilters(
  z.object({
    projectId: uuid("projectId"),
    from: z.coerce.date(),
    to: z.coerce.date(),
    ...requestFilterFields,
    ...page,
  }),
);
export type SearchRequestsInput = z.input<typeof searchRequestsInput>;

/** The filters as the console keeps them in the URL: every value a string, numbers parsed. */
const explorerUrlFilters = z.object({
  status: z.union([z.enum(STATUS_CLASSES), z.coerce.number().int().min(100).max(999)]).optional(),
  modelId: requestFilterFields.modelId,
  model: requestFilterFields.model,
  requestedModel: requestFilterFields.requestedModel,
  key: requestFilterFields.key,
  user: requestFilterFields.user,
  session: requestFilterFields.session,
  minLatencyMs: z.coerce.number().pipe(bound("Minimum latency", 1e9)).optional(),
  maxLatencyMs: z.coerce.number().pipe(bound("Maximum latency", 1e9)).optional(),
  minCostUsd: z.coerce.number().pipe(bound("Minimum cost", 1e6)).optional(),
  maxCostUsd: z.coerce.number().pipe(bound("Maximum cost", 1e6)).optional(),
  guardrail: requestFilterFields.guardrail,
  tool: requestFilterFields.tool,
  batch: requestFilterFields.batch,
  q: requestFilterFields.q,
});
export type ExplorerUrlFilters = z.infer<typeof explorerUrlFilters>;
export const EXPLORER_FILTER_KEYS = Object.keys(explorerUrlFilters.shape) as (keyof ExplorerUrlFilters)[];

/** The explorer's form as the user types (URL shape), with the cross-field rules: shows mistakes before Apply. */
export const explorerUrlForm = explorerUrlFilters
  .refine((i) => i.minLatencyMs === undefined || i.maxLatencyMs === undefined || i.minLatencyMs <= i.maxLatencyMs, {
    message: "Minimum latency must not be above the maximum",
    path: ["maxLatencyMs"],
  })
  .refine((i) => i.minCostUsd === undefined || i.maxCostUsd === undefined || i.minCostUsd <= i.maxCostUsd, {
    message: "Minimum cost must not be above the maximum",
    path: ["maxCostUsd"],
  });

/** Time ranges the explorer offers (seconds back from now); `custom` is an explicit from/to in the URL. */
export const EXPLORER_RANGES = {
  "15m": 900,
  "1h": 3600,
  "6h": 21_600,
  "24h": 86_400,
  "7d": 604_800,
  "30d": 2_592_000,
} as const;
export type ExplorerRange = keyof typeof EXPLORER_RANGES;

export interface ExplorerUrlState {
  range: ExplorerRange | "custom";
  /** Set for `custom`. */
  from?: Date;
  to?: Date;
  filters: ExplorerUrlFilters;
}

/**
 * The explorer's state from a query string. A value that does not parse is dropped (a hand-edited link still
 * opens, with the filters that make sense), never thrown.
 */
export function readExplorerUrl(params: URLSearchParams): ExplorerUrlState {
  const filters: Record<string, unknown> = {};
  for (const key of EXPLORER_FILTER_KEYS) {
    const raw = params.get(key);
    if (raw === null || raw === "") continue;
    const parsed = explorerUrlFilters.shape[key].safeParse(raw);
    if (parsed.success && parsed.data !== undefined) filters[key] = parsed.data;
  }
  const from = params.get("from") ? new Date(params.get("from")!) : undefined;
  const to = params.get("to") ? new Date(params.get("to")!) : undefined;
  if (from && to && !Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime()) && from < to)
    return { range: "custom", from, to, filters: filters as ExplorerUrlFilters };
  const range = params.get("range");
  return {
    range: range && range in EXPLORER_RANGES ? (range as ExplorerRange) : "24h",
    filters: filters as ExplorerUrlFilters,
  };
}

/** The query string for a state, keeping the parameters the explorer does not own (another panel's). */
export function writeExplorerUrl(current: URLSearchParams, state: ExplorerUrlState): URLSearchParams {
  const next = new URLSearchParams(current);
  for (const key of [...EXPLORER_FILTER_KEYS, "range", "from", "to"]) next.delete(key);
  if (state.range === "custom" && state.from && state.to) {
    next.set("from", state.from.toISOString());
    next.set("to", state.to.toISOString());
  } else if (state.range !== "24h") next.set("range", state.range);
  for (const key of EXPLORER_FILTER_KEYS) {
    const value = state.filters[key];
    if (value !== undefined && value !== "") next.set(key, String(value));
  }
  return next;
}
