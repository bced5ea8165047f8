// The process-wide request log: one writer (the gateway's sink), one small
// pool for the dashboards and the explorer, and the maintenance schedule.
// Kept on globalThis so that Next's dev reloads do not open more pools.
import pg from "pg";
import { env } from "@/server/env";
import { type MaintenanceSchedule, schedulePartitionMaintenance } from "./maintenance";
import { RequestLogWriter, type RequestLogWriterOptions, type RequestLogWriterStats } from "./writer";

interface RequestLogRuntime {
  writer?: RequestLogWriter;
  pool?: pg.Pool;
  maintenance?: MaintenanceSchedule;
}

const globalForRequestLog = globalThis as unknown as { switchyardRequestLog?: RequestLogRuntime };
const runtime = (): RequestLogRuntime => {
  globalForRequestLog.switchyardRequestLog ??= {};
  return globalForRequestLog.switchyardRequestLog;
};

function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it to the embedded Postgres)");
  return url;
}

/**
 * The process's request-log writer (created on first use from DATABASE_URL,
 * with its own pool). This is the gateway's RequestLogSink.
 */
export function requestLogWriter(options: Omit<RequestLogWriterOptions, "pool" | "connectionString"> = {}) {
  const state = runtime();
  state.writer ??= new RequestLogWriter({ ...options, connectionString: databaseUrl() });
  return state.writer;
}

/** A small pool for the read side (dashboards, explorer, maintenance, /metrics gauges). */
export function requestLogPool(): pg.Pool {
  const state = runtime();
  if (!state.pool) {
    state.pool = new pg.Pool({
      connectionString: databaseUrl(),
      max: 4,
      idleTimeoutMillis: 30_000,
      application_name: "switchyard-request-log-read",
    });
    state.pool.on("error", () => {});
  }
  return state.pool;
}

/**
 * Call once when the server starts: runs partition maintenance now and then
 * hourly (creating partitions ahead, applying the retention). Idempotent.
 */
export function startRequestLogMaintenance(options: { intervalMs?: number } = {}): MaintenanceSchedule {
  const state = runtime();
  state.maintenance ??= schedulePartitionMaintenance({ pool: requestLogPool() }, options);
  return state.maintenance;
}

/**
 * On shutdown: stops maintenance, flushes the writer (up to `timeoutMs`,
 * default its closeTimeoutMs) and closes the pools. Returns the writer's last
 * stats (null when none was created).
 */
export async function shutdownRequestLog(options: { timeoutMs?: number } = {}): Promise<RequestLogWriterStats | null> {
  const state = runtime();
  state.maintenance?.stop();
  const stats = state.writer ? await state.writer.close(options) : null;
  await state.pool?.end().catch(() => {});
  globalForRequestLog.switchyardRequestLog = {};
  return stats;
}
