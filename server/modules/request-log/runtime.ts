// The process-wide request log: one writer (the gateway's sink), one small
// pool for the dashboards and the explorer. (Partition maintenance is a job: maintenance-job.ts.)
// Kept on globalThis so that Next's dev reloads do not open more pools.
import path from "node:path";
import pg from "pg";
import { env } from "@/server/env";
import { spoolDirFor } from "./spool";
import { RequestLogWriter, type RequestLogWriterOptions, type RequestLogWriterStats } from "./writer";

interface RequestLogRuntime {
  writer?: RequestLogWriter;
  pool?: pg.Pool;
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
 * The on-disk spool of the process's writer: SWITCHYARD_LOG_SPOOL_MAX_MB (default 1024; 0 turns it off) under
 * SWITCHYARD_DATA_DIR/request-log-spool, one folder per database.
 */
function spoolFromEnv(url: string): RequestLogWriterOptions["spool"] {
  const maxMb = numberFromEnv("SWITCHYARD_LOG_SPOOL_MAX_MB", 1024, "a number of MiB >= 0 (0 turns the spool off)");
  if (maxMb === 0) return undefined;
  const root = path.resolve(env().SWITCHYARD_DATA_DIR, "request-log-spool");
  return { dir: spoolDirFor(root, url), maxBytes: Math.floor(maxMb * 1024 * 1024) };
}

function numberFromEnv(name: string, fallback: number, what: string): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be ${what}, not "${raw}"`);
  return value;
}

/**
 * The process's request-log writer (created on first use from DATABASE_URL,
 * with its own pool and the spool from the environment). This is the
 * gateway's RequestLogSink.
 */
export function requestLogWriter(options: Omit<RequestLogWriterOptions, "pool" | "connectionString"> = {}) {
  const state = runtime();
  if (!state.writer) {
    const url = databaseUrl();
    state.writer = new RequestLogWriter({
      spool: spoolFromEnv(url),
      // Rows held in memory while Postgres is slow or down; past it they wait in the spool.
      maxBuffered: numberFromEnv("SWITCHYARD_LOG_BUFFER_ROWS", 100_000, "a number of rows >= 2"),
      ...options,
      connectionString: url,
    });
  }
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
 * On shutdown: flushes the writer (up to `timeoutMs`,
 * default its closeTimeoutMs) and closes the pools. Returns the writer's last
 * stats (null when none was created).
 */
export async function shutdownRequestLog(options: { timeoutMs?: number } = {}): Promise<RequestLogWriterStats | null> {
  const state = runtime();
  const stats = state.writer ? await state.writer.close(options) : null;
  await state.pool?.end().catch(() => {});
  globalForRequestLog.switchyardRequestLog = {};
  return stats;
}
