// Partition maintenance and the retention setting. The work itself is the
// SQL function request_log_maintain() (see the request_log migration), so
// psql, cron or pg_cron can run it too; the app runs it as a job (maintenance-job.ts).
import type { RequestLogDeps } from "./queryable";
import { type RequestLogSettingsInput, requestLogSettingsInput } from "./schemas";

export interface MaintenanceResult {
  created: string[];
  dropped: string[];
}

export interface MaintenanceOptions {
  /** Override request_log_settings for this run. */
  daysAhead?: number;
  retentionDays?: number;
  /** The UTC day taken as today (tests); default the database's clock. */
  today?: Date;
}

/**
 * Creates the daily partitions of today .. today + daysAhead (and of any day
 * whose rows sit in the default partition), drops those older than the
 * retention, and purges old rollups and expired stored responses. Safe to run from every replica at once;
 * the app runs it as the `maintenance.request_log` job (maintenance-job.ts), one at a time.
 */
export async function maintainPartitions(
  deps: RequestLogDeps,
  options: MaintenanceOptions = {},
): Promise<MaintenanceResult> {
  const today = options.today ? options.today.toISOString().slice(0, 10) : null;
  const { rows } = await deps.pool.query<{ action: "created" | "dropped"; partition_name: string }>(
    "SELECT action, partition_name FROM request_log_maintain($1::int, $2::int, $3::date)",
    [options.daysAhead ?? null, options.retentionDays ?? null, today],
  );
  // Stored `/v1/responses` answers live as long as the raw rows (gateway_responses migration).
  await deps.pool.query("SELECT gateway_responses_purge($1::int)", [options.retentionDays ?? null]);
  return {
    created: rows.filter((row) => row.action === "created").map((row) => row.partition_name),
    dropped: rows.filter((row) => row.action === "dropped").map((row) => row.partition_name),
  };
}

export interface PartitionInfo {
  name: string;
  /** The UTC day it holds (YYYY-MM-DD); null for the default partition. */
  day: string | null;
  /** Postgres's estimate (pg_class.reltuples; -1 before the first ANALYZE). */
  estimatedRows: number;
}

export async function listPartitions(deps: RequestLogDeps): Promise<PartitionInfo[]> {
  const { rows } = await deps.pool.query<{ name: string; estimated_rows: number }>(
    `SELECT c.relname AS name, c.reltuples::float8 AS estimated_rows
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'request_log'::regclass ORDER BY c.relname`,
  );
  return rows.map((row) => {
    const match = /^request_log_p(\d{4})(\d{2})(\d{2})$/.exec(row.name);
    return {
      name: row.name,
      day: match ? `${match[1]}-${match[2]}-${match[3]}` : null,
      estimatedRows: row.estimated_rows,
    };
  });
}

export interface RequestLogSettings {
  retentionDays: number;
  daysAhead: number;
  rollupRetentionDays: number;
  updatedAt: Date;
}

interface SettingsRow {
  retention_days: number;
  days_ahead: number;
  rollup_retention_days: number;
  updated_at: Date;
}

const toSettings = (row: SettingsRow): RequestLogSettings => ({
  retentionDays: row.retention_days,
  daysAhead: row.days_ahead,
  rollupRetentionDays: row.rollup_retention_days,
  updatedAt: row.updated_at,
});

export async function getRequestLogSettings(deps: RequestLogDeps): Promise<RequestLogSettings> {
  const { rows } = await deps.pool.query<SettingsRow>(
    "SELECT retention_days, days_ahead, rollup_retention_days, updated_at FROM request_log_settings WHERE id = 1",
  );
  return toSettings(rows[0]);
}

/**
 * Changes the instance-wide retention (days of raw rows and minute rollups),
 * partitions created ahead, or hourly-rollup retention. Takes effect at the
 * next maintenance run. The hourly retention never goes below the raw one.
 */
export async function updateRequestLogSettings(
  deps: RequestLogDeps,
  rawInput: RequestLogSettingsInput,
): Promise<RequestLogSettings> {
  const input = requestLogSettingsInput.parse(rawInput);
  const { rows } = await deps.pool.query<SettingsRow>(
    `UPDATE request_log_settings SET
  retention_days = coalesce($1, retention_days),
  days_ahead = coalesce($2, days_ahead),
  rollup_retention_days = greatest(coalesce($3, rollup_retention_days), coalesce($1, retention_days)),
  updated_at = now()
WHERE id = 1
RETURNING retention_days, days_ahead, rollup_retention_days, updated_at`,
    [input.retentionDays ?? null, input.daysAhead ?? null, input.rollupRetentionDays ?? null],
  );
  return toSettings(rows[0]);
}
