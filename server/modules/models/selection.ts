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
  runs: z.number().int(),
  errors: z.number().int(),
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
  errors: bigint;
  ttft: number | null;
  tpot: number | null;
  tps: number | null;
  cost: string | null;
  out_tokens: bigint | null;
  device: string | null;
  last_run: Date | null;
}

/**
 * The model selection view: each version's declared cost, task, license and
 * context length next to what its runs measured (medians of TTFT, time per
 * output token and tokens/s; cost per 1k output tokens), over `sinceDays`.
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
           COUNT(r.id) AS runs, COUNT(r.id) FILTER (WHERE r.error IS NOT NULL) AS errors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ttft_ms) FILTER (WHERE r.error IS NULL) AS ttft,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.tpot_ms) FILTER (WHERE r.error IS NULL) AS tpot,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.tokens_per_second) FILTER (WHERE r.error IS NULL) AS tps,
           SUM(r.cost_usd)::text AS cost, SUM(r.tokens_out) AS out_tokens,
           (array_agg(r.device ORDER BY r.created_at DESC) FILTER (WHERE r.error IS NULL))[1] AS device,
           MAX(r.created_at) AS last_run
      FROM models m
      JOIN model_versions v ON v.model_id = m.id
      LEFT JOIN inference_runs r ON r.model_version_id = v.id AND r.created_at > now() - make_interval(days => ${sinceDays})
     WHERE m.project_id = ${projectId}::uuid
     GROUP BY m.id, v.id
     ORDER BY m.name, v.version DESC`;
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
    errors: Number(r.errors),
    ttftMsP50: r.ttft,
    tpotMsP50: r.tpot,
    tokensPerSecondP50: r.tps,
    costPer1kOutputTokens:
      r.out_tokens && Number(r.out_tokens) > 0 ? (Number(r.cost) / Number(r.out_tokens)) * 1000 : null,
    device: r.device,
    lastRunAt: r.last_run,
  }));
}
