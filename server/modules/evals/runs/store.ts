// Stores finished results and their calls' request-log rows in ONE transaction, as batches do (batches/store.ts):
// a result is written once (eval_results' primary key: target, case, trial), its log row only when the result
// was new, and the run's counters grow by what was new. A resumed run re-runs only what no commit kept, and
// nothing is logged or counted twice. Plain `pg`: the ORM's per-row cost shows at thousands of results a second.
import { batchPool } from "@/server/modules/batches/store";
import type { EvaluatorScore } from "@/server/modules/evals/types";
import { INGEST_SQL, INGEST_STATEMENT_NAME, serializeEntry } from "@/server/modules/request-log/ingest";
import type { RequestLogEntry } from "@/server/modules/request-log/types";

export interface EvalResultRow {
  targetId: string;
  caseIndex: number;
  trial: number;
  input: unknown;
  expected: unknown;
  output: string | null;
  error: string | null;
  scores: EvaluatorScore[];
  score: number | null;
  passed: boolean | null;
  latencyMs: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  evalCostUsd: number;
  requestId: string | null;
  /** The target call's log row (stored with the result). */
  entry: RequestLogEntry | null;
}

const RESULTS_SQL = `
INSERT INTO eval_results (run_id, target_id, case_index, trial, input, expected, output, error, scores, score, passed,
  latency_ms, tokens_in, tokens_out, cost_usd, eval_cost_usd, request_id)
SELECT $1, x.target_id, x.case_index, x.trial, x.input, x.expected, x.output, x.error, x.scores, x.score, x.passed,
  x.latency_ms, x.tokens_in, x.tokens_out, x.cost_usd, x.eval_cost_usd, x.request_id
FROM json_to_recordset($2::json) AS x(target_id uuid, case_index int, trial int, input jsonb, expected jsonb,
  output text, error text, scores jsonb, score float8, passed bool, latency_ms real, tokens_in int, tokens_out int,
  cost_usd float8, eval_cost_usd float8, request_id text)
ON CONFLICT DO NOTHING
RETURNING target_id, case_index, trial, cost_usd, eval_cost_usd`;

const COUNTS_SQL = `UPDATE eval_runs SET done_cases = done_cases + $2, cost_usd = cost_usd + $3,
  eval_cost_usd = eval_cost_usd + $4 WHERE id = $1 RETURNING done_cases, cost_usd, eval_cost_usd`;

// Postgres text and jsonb cannot hold NUL or lone surrogates: their escapes become U+FFFD.
const UNSTORABLE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;
const storable = (json: string) => json.replace(UNSTORABLE, "\\ufffd");

const keyOf = (targetId: string, caseIndex: number, trial: number) => `${targetId}:${caseIndex}:${trial}`;

function rowJson(r: EvalResultRow) {
  return {
    target_id: r.targetId,
    case_index: r.caseIndex,
    trial: r.trial,
    input: r.input,
    expected: r.expected ?? null,
    output: r.output,
    error: r.error,
    scores: r.scores,
    score: r.score,
    passed: r.passed,
    latency_ms: r.latencyMs,
    tokens_in: r.tokensIn,
    tokens_out: r.tokensOut,
    cost_usd: r.costUsd,
    eval_cost_usd: r.evalCostUsd,
    request_id: r.requestId,
  };
}

export interface RunTotals {
  doneCases: number;
  costUsd: number;
  evalCostUsd: number;
}

/** Writes the results not stored yet; returns the run's totals after the write (null when nothing was new). */
export async function storeResults(runId: string, rows: EvalResultRow[]): Promise<RunTotals | null> {
  if (rows.length === 0) return null;
  const client = await batchPool().connect();
  try {
    await client.query("BEGIN");
    const inserted = (
      await client.query<{
        target_id: string;
        case_index: number;
        trial: number;
        cost_usd: number;
        eval_cost_usd: number;
      }>(RESULTS_SQL, [runId, storable(JSON.stringify(rows.map(rowJson)))])
    ).rows;
    let totals: RunTotals | null = null;
    if (inserted.length) {
      const fresh = new Set(inserted.map((r) => keyOf(r.target_id, r.case_index, r.trial)));
      const entries = rows
        .filter((r) => r.entry && fresh.has(keyOf(r.targetId, r.caseIndex, r.trial)))
        .map((r) => serializeEntry(r.entry!));
      if (entries.length)
        await client.query({ name: INGEST_STATEMENT_NAME, text: INGEST_SQL, values: [`[${entries.join(",")}]`] });
      const cost = inserted.reduce((s, r) => s + r.cost_usd, 0);
      const evalCost = inserted.reduce((s, r) => s + r.eval_cost_usd, 0);
      const updated = await client.query<{ done_cases: number; cost_usd: number; eval_cost_usd: number }>(COUNTS_SQL, [
        runId,
        inserted.length,
        cost,
        evalCost,
      ]);
      const t = updated.rows[0];
      totals = { doneCases: t.done_cases, costUsd: t.cost_usd, evalCostUsd: t.eval_cost_usd };
    }
    await client.query("COMMIT");
    return totals;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The (target, case, trial) triples a run has stored: what a resumed attempt skips. */
export async function storedKeys(runId: string): Promise<Set<string>> {
  const { rows } = await batchPool().query<{ k: string }>(
    "SELECT target_id || ':' || case_index || ':' || trial AS k FROM eval_results WHERE run_id = $1",
    [runId],
  );
  return new Set(rows.map((r) => r.k));
}

export { keyOf as resultKey };
