import { z } from "zod";
import { PROVIDERS, TASKS } from "@/lib/models";
import type { ProjectDeps } from "@/server/modules/deps";

export const selectionRow = z.object({
  modelId: z.string(),
  name: z.string(),
  provider: z.enum(PROVIDERS),
  task: z.enum(TASKS),
  license: z.string().nullable(),
  contextLength: z.number().nullable(),
  priceInputPerMTok: z.number().nullable(),
  priceOutputPerMTok: z.number().nullable(),
  pricePerComputeSecond: z.number().nullable(),
  version: z.number().int(),
  aliases: z.array(z.string()),
  /** Playground runs measured (the newest SAMPLE_CAP at most). */
  runs: z.number().int(),
  /** Gateway requests measured from the request log (cache hits aside; the newest SAMPLE_CAP at most). */
  requests: z.number().int(),
  /** Whether a source hit SAMPLE_CAP: the figures are of the newest requests, not all of them. */
  capped: z.boolean(),
  /** Where the figures come from. */
  source: z.enum(["gateway", "playground", "both", "none"]),
  /** Failed runs and requests, of both sources, and their share. */
  errors: z.number().int(),
  errorRate: z.number().nullable(),
  latencyMsP50: z.number().nullable(),
  latencyMsP95: z.number().nullable(),
  ttftMsP50: z.number().nullable(),
  tpotMsP50: z.number().nullable(),
  tokensPerSecondP50: z.number().nullable(),
  costPer1kOutputTokens: z.number().nullable(),
  device: z.string().nullable(),
  lastRunAt: z.date().nullable(),
});
export type SelectionRow = z.infer<typeof selectionRow>;

interface Raw {
  model_id: string;
  name: string;
  /** Raw SQL sees the enum's mapped database values, which are the API names. */
  provider: SelectionRow["provider"];
  task: SelectionRow["task"];
  license: string | null;
  context_length: number | null;
  price_in: string | null;
  price_out: string | null;
  price_sec: string | null;
  version: number;
  aliases: string[];
  runs: bigint;
  requests: bigint;
  errors: bigint;
  latency_p50: number | null;
  latency_p95: number | null;
  ttft: number | null;
  tpot: number | null;
  tps: number | null;
  cost: string | null;
  out_tokens: bigint | null;
  device: string | null;
  last_run: Date | null;
}

/** Per version and source, the newest this many samples are measured: a busy model costs the same to show. */
const SAMPLE_CAP = 5_000;

/**
 * The model selection view: each version's declared cost, task, license and
 * context length next to what it measured over `sinceDays`, from gateway
 * traffic (the request log; cache hits aside, they never reached the model)
 * and playground runs together: latency p50/p95, medians of TTFT, time per
 * output token and tokens/s, cost per 1k output tokens, error rate, and the
 * device of the newest measured generation. Gateway traffic (chat, completions,
 * responses, messages, batch lines and eval calls all pass the gateway) is read
 * from the request log only: its `device` column (local models; older rows and
 * upstream ones from `deployment`, which held the device of an unrouted local
 * request and holds `upstream:<host>` for upstream ones). Inference runs are the
 * playground's; any run recorded with source `gateway` is skipped, so no request
 * counts twice. Each source
 * gives at most its newest SAMPLE_CAP rows per version, read through the
 * (model_version_id, time) indexes.
 */
export async function selectionView(
  deps: ProjectDeps,
  { sinceDays = 30 }: { sinceDays?: number },
): Promise<SelectionRow[]> {
  const { projectId } = deps.caller;
  const rows = await deps.db.$queryRaw<Raw[]>`
    SELECT m.id AS model_id, m.name, m.provider, m.task, m.license, m.context_length,
           m.price_input_per_mtok::text AS price_in, m.price_output_per_mtok::text AS price_out,
           m.price_per_compute_second::text AS price_sec, v.version,
           COALESCE((SELECT array_agg(a.name ORDER BY a.name) FROM model_aliases a WHERE a.version_id = v.id), '{}') AS aliases,
           COUNT(s.src) FILTER (WHERE s.src = 'playground') AS runs,
           COUNT(s.src) FILTER (WHERE s.src = 'gateway') AS requests,
           COUNT(s.src) FILTER (WHERE s.failed) AS errors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.latency) FILTER (WHERE NOT s.failed) AS latency_p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY s.latency) FILTER (WHERE NOT s.failed) AS latency_p95,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ttft) FILTER (WHERE NOT s.failed) AS ttft,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.tpot) FILTER (WHERE NOT s.failed) AS tpot,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.tps) FILTER (WHERE NOT s.failed) AS tps,
           SUM(s.cost) FILTER (WHERE NOT s.failed)::text AS cost,
           SUM(s.tokens_out) FILTER (WHERE NOT s.failed) AS out_tokens,
           (array_agg(s.device ORDER BY s.at DESC) FILTER (WHERE NOT s.failed AND s.device IS NOT NULL))[1] AS device,
           MAX(s.at) AS last_run
      FROM models m
      JOIN model_versions v ON v.model_id = m.id
      LEFT JOIN LATERAL (
        (SELECT 'gateway' AS src, g.latency_ms::float8 AS latency, g.ttft_ms::float8 AS ttft,
                CASE WHEN g.ttft_ms IS NOT NULL AND g.tokens_out > 1 AND g.latency_ms > g.ttft_ms
                     THEN (g.latency_ms - g.ttft_ms)::float8 / (g.tokens_out - 1) END AS tpot,
                CASE WHEN g.ttft_ms IS NOT NULL AND g.tokens_out > 1 AND g.latency_ms > g.ttft_ms
                     THEN (g.tokens_out - 1) * 1000.0 / (g.latency_ms - g.ttft_ms)
                     WHEN g.tokens_out > 0 AND g.latency_ms > 0 THEN g.tokens_out * 1000.0 / g.latency_ms END AS tps,
                g.cost_usd::numeric AS cost, g.tokens_out::bigint AS tokens_out, g.status >= 400 AS failed,
                COALESCE(g.device, CASE WHEN g.deployment IN ('cpu', 'cuda', 'webgpu') OR g.deployment LIKE 'upstream:%'
                                        THEN g.deployment END) AS device,
                g.started_at AS at
           FROM request_log g
          WHERE g.model_version_id = v.id AND g.project_id = ${projectId}::uuid AND NOT g.cache_hit
            AND g.started_at > now() - make_interval(days => ${sinceDays})
          ORDER BY g.started_at DESC LIMIT ${SAMPLE_CAP})
        UNION ALL
        (SELECT 'playground', r.duration_ms, r.ttft_ms, r.tpot_ms, r.tokens_per_second, r.cost_usd::numeric,
                r.tokens_out::bigint, r.error IS NOT NULL, r.device, r.created_at
           FROM inference_runs r
          WHERE r.model_version_id = v.id AND r.source <> 'gateway'
            AND r.created_at > now() - make_interval(days => ${sinceDays})
          ORDER BY r.created_at DESC LIMIT ${SAMPLE_CAP})
      ) s ON true
     WHERE m.project_id = ${projectId}::uuid
     GROUP BY m.id, v.id
     ORDER BY m.name, v.version DESC
     LIMIT 500`;
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    modelId: r.model_id,
    name: r.name,
    provider: r.provider,
    task: r.task,
    license: r.license,
    contextLength: r.context_length,
    priceInputPerMTok: num(r.price_in),
    priceOutputPerMTok: num(r.price_out),
    pricePerComputeSecond: num(r.price_sec),
    version: r.version,
    aliases: r.aliases,
    runs: Number(r.runs),
    requests: Number(r.requests),
    capped: Number(r.runs) >= SAMPLE_CAP || Number(r.requests) >= SAMPLE_CAP,
    source: sourceOf(Number(r.requests), Number(r.runs)),
    errors: Number(r.errors),
    errorRate:
      Number(r.runs) + Number(r.requests) > 0 ? Number(r.errors) / (Number(r.runs) + Number(r.requests)) : null,
    latencyMsP50: r.latency_p50,
    latencyMsP95: r.latency_p95,
    ttftMsP50: r.ttft,
    tpotMsP50: r.tpot,
    tokensPerSecondP50: r.tps,
    costPer1kOutputTokens:
      r.out_tokens && Number(r.out_tokens) > 0 ? (Number(r.cost) / Number(r.out_tokens)) * 1000 : null,
    device: r.device,
    lastRunAt: r.last_run,
  }));
}

function sourceOf(requests: number, runs: number): SelectionRow["source"] {
  if (requests > 0 && runs > 0) return "both";
  if (requests > 0) return "gateway";
  return runs > 0 ? "playground" : "none";
}
