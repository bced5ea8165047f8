/**
 * Request log: ingest throughput of the writer against single-row INSERTs and
 * Prisma createMany in the same run, then dashboard and explorer query latency
 * over a generated week of traffic. Real PostgreSQL: embedded (started here,
 * durable settings unless --fast) or BENCH_DATABASE_URL (any database on your
 * server: a scratch database is created there and dropped afterwards).
 *
 *   npx tsx bench/request-log/ingest.ts                        # 300k ingest, 1M rows for the dashboards
 *   npx tsx bench/request-log/ingest.ts --rows 10000000         # the 10 M figure (tens of minutes, ~10 GB disk)
 *   options: --ingest-rows 300000 --rows 1000000 --reps 30 --batch-size 2000 --fast --keep
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { seededRandom } from "@/lib/random";
import { createDatabase, databaseUrl, dropDatabase } from "@/server/database/admin";
import { startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { breakdown, overview } from "@/server/modules/request-log/dashboards";
import { getRequest, searchRequests } from "@/server/modules/request-log/explorer";
import { ENTRY_COLUMNS } from "@/server/modules/request-log/ingest";
import { maintainPartitions } from "@/server/modules/request-log/maintenance";
import { makeTraffic, makeTrafficShape, type TrafficShape } from "@/server/modules/request-log/testing";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import { RequestLogWriter } from "@/server/modules/request-log/writer";

const { values: args } = parseArgs({
  options: {
    "ingest-rows": { type: "string", default: "300000" },
    rows: { type: "string", default: "1000000" },
    reps: { type: "string", default: "30" },
    "batch-size": { type: "string", default: "2000" },
    fast: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const INGEST_ROWS = Number(args["ingest-rows"]);
const DASHBOARD_ROWS = Number(args.rows);
const REPS = Number(args.reps);
const BATCH_SIZE = Number(args["batch-size"]);
const DAY = 86_400_000;
const HOUR = 3_600_000;

const log = (message: string) => console.log(`[bench] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

// ── database ────────────────────────────────────────────────────────────────

let stopServer = async () => {};
let dataDir: string | null = null;
let serverUrl = process.env.BENCH_DATABASE_URL;
if (!serverUrl) {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-request-log-"));
  const server = await startEmbeddedPostgres({ dataDir, port: 54347, database: "postgres", fast: args.fast });
  stopServer = server.stop;
  serverUrl = server.url;
}
const database = `bench_request_log_${Date.now()}`;
await createDatabase(serverUrl, database);
const url = databaseUrl(serverUrl, database);
const pool = new pg.Pool({ connectionString: url, max: 4 });

async function cleanup() {
  await pool.end().catch(() => {});
  if (!args.keep) await dropDatabase(serverUrl!, database).catch(() => {});
  await stopServer().catch(() => {});
  if (dataDir && !args.keep) await rm(dataDir, { recursive: true, force: true });
}

try {
  await applyMigrations(url);
  const version = (await pool.query("SHOW server_version")).rows[0].server_version;
  const durability = (
    await pool.query("SELECT current_setting('fsync') AS f, current_setting('synchronous_commit') AS s")
  ).rows[0];
  const machine = `${os.cpus().length} vCPU ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${version} (fsync=${durability.f}, synchronous_commit=${durability.s})`;
  log(machine);

  const random = seededRandom(2026);
  // Dimensions of a mid-sized deployment: 3 projects, 6 model versions, 5
  // prompt versions, 3 experiment variants, 10 API keys.
  const shape = makeTrafficShape(random, { projects: 3, models: 6, prompts: 5, variants: 3, keys: 10 });

  // ── 1. ingest: the writer vs baselines ──────────────────────────────────────
  await maintainPartitions({ pool }, { daysAhead: 1 });
  const now = Date.now();
  log(`generating ${fmt(INGEST_ROWS)} entries…`);
  const ingestEntries = makeTraffic(INGEST_ROWS, shape, random, (i) => new Date(now - INGEST_ROWS + i));

  const writerResult = await ingestThroughWriter(ingestEntries);
  log(
    `writer: ${fmt(writerResult.rowsPerSecond)} rows/s (${fmt(INGEST_ROWS)} rows, record() ${writerResult.recordUs.toFixed(2)} µs each, batch p50 ${writerResult.batchP50.toFixed(0)} ms, dropped ${writerResult.dropped})`,
  );

  const baselineRows = Math.min(20_000, INGEST_ROWS);
  const singleRow = await singleRowInserts(
    makeTraffic(baselineRows, shape, random, (i) => new Date(now - baselineRows + i)),
  );
  log(`baseline single-row INSERT (2 connections, no rollups): ${fmt(singleRow)} rows/s`);
  const prismaRows = Math.min(20_000, INGEST_ROWS);
  const prisma = await prismaCreateMany(makeTraffic(prismaRows, shape, random, (i) => new Date(now - prismaRows + i)));
  log(`baseline Prisma createMany (2,000 per call, no rollups): ${fmt(prisma)} rows/s`);

  // ── 2. dashboards over a week of traffic ───────────────────────────────────
  await pool.query("TRUNCATE request_log, request_log_minute, request_log_hour");
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - 7 * DAY;
  await maintainPartitions({ pool }, { today: new Date(start), daysAhead: 8 });
  log(`writing ${fmt(DASHBOARD_ROWS)} rows spread over 7 days through the writer…`);
  const generated = await generateWeek(shape, random, start, end);
  log(`  ${fmt(generated.rowsPerSecond)} rows/s sustained over ${fmt(DASHBOARD_ROWS)} rows`);
  log("VACUUM ANALYZE…");
  for (const table of ["request_log", "request_log_minute", "request_log_hour"]) {
    await pool.query(`VACUUM ANALYZE ${table}`);
  }
  const sizes = (
    await pool.query(`SELECT
      pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS raw,
      pg_size_pretty(pg_total_relation_size('request_log_minute') + pg_total_relation_size('request_log_hour')) AS rollups,
      (SELECT count(*) FROM request_log_minute) AS minute_rows, (SELECT count(*) FROM request_log_hour) AS hour_rows
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'request_log'::regclass`)
  ).rows[0];
  log(
    `sizes: raw ${sizes.raw}, rollups ${sizes.rollups} (${fmt(Number(sizes.minute_rows))} minute rows, ${fmt(Number(sizes.hour_rows))} hour rows)`,
  );

  const projectId = shape.projectIds[0];
  const modelVersionId = shape.modelVersionIds[0];
  const apiKeyId = shape.apiKeyIds[0];
  const deps = { pool };
  const last = (ms: number) => ({ projectId, from: new Date(end - ms), to: new Date(end) });
  const sample = (await searchRequests(deps, { ...last(DAY), limit: 1 })).items[0];
  let deepCursor: string | null = null;
  {
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      cursor = (await searchRequests(deps, { ...last(DAY), limit: 50, cursor })).nextCursor;
    }
    deepCursor = cursor;
  }
  const queries: [string, () => Promise<unknown>][] = [
    ["overview 24 h, 5 min step", () => overview(deps, { ...last(DAY), step: 300 })],
    ["overview 7 d, 1 h step", () => overview(deps, { ...last(7 * DAY), step: 3600 })],
    ["overview 24 h, 5 min, one model version", () => overview(deps, { ...last(DAY), step: 300, modelVersionId })],
    ["overview 7 d, 1 h, one API key", () => overview(deps, { ...last(7 * DAY), step: 3600, apiKeyId })],
    ["breakdown by model, 24 h", () => breakdown(deps, { ...last(DAY), by: "model" })],
    ["breakdown by key, 7 d", () => breakdown(deps, { ...last(7 * DAY), by: "key" })],
    ["breakdown by prompt, 1 h", () => breakdown(deps, { ...last(HOUR), by: "prompt" })],
    ["breakdown by variant, 7 d", () => breakdown(deps, { ...last(7 * DAY), by: "variant" })],
    ["explorer first page (50), 24 h", () => searchRequests(deps, { ...last(DAY), limit: 50 })],
    ["explorer page 21 (cursor)", () => searchRequests(deps, { ...last(DAY), limit: 50, cursor: deepCursor })],
    ["explorer errors only, 24 h", () => searchRequests(deps, { ...last(DAY), limit: 50, status: "error" })],
    ["getRequest by id", () => getRequest(deps, { projectId, id: sample.id })],
  ];
  const timings = new Map<string, number[]>(queries.map(([name]) => [name, []]));
  for (const [, run] of queries) await run(); // warm-up
  for (let rep = 0; rep < REPS; rep++) {
    for (const [name, run] of queries) {
      const t = performance.now();
      await run();
      timings.get(name)!.push(performance.now() - t);
    }
  }

  console.log(`\n${machine}`);
  console.log(`\n| ingest (${fmt(INGEST_ROWS)} rows unless noted) | rows/s |\n| --- | ---: |`);
  console.log(
    `| RequestLogWriter (batch ${BATCH_SIZE}, raw + minute/hour rollups, one statement per batch) | ${fmt(writerResult.rowsPerSecond)} |`,
  );
  console.log(
    `| baseline: single-row INSERT, 2 connections, raw only (${fmt(baselineRows)} rows) | ${fmt(singleRow)} |`,
  );
  console.log(`| baseline: Prisma createMany, 2,000 per call, raw only (${fmt(prismaRows)} rows) | ${fmt(prisma)} |`);
  console.log(`| RequestLogWriter, ${fmt(DASHBOARD_ROWS)} rows over 7 days | ${fmt(generated.rowsPerSecond)} |`);
  console.log(
    `\nrecord(): ${writerResult.recordUs.toFixed(2)} µs per call; batch statement p50 ${writerResult.batchP50.toFixed(0)} ms, p95 ${writerResult.batchP95.toFixed(0)} ms; dropped ${writerResult.dropped}`,
  );
  console.log(
    `\n| query over ${fmt(DASHBOARD_ROWS)} rows (${REPS} reps) | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: |`,
  );
  for (const [name, xs] of timings) {
    console.log(
      `| ${name} | ${quantile(xs, 0.5).toFixed(1)} | ${quantile(xs, 0.95).toFixed(1)} | ${Math.max(...xs).toFixed(1)} |`,
    );
  }
  const dashboards = [...timings].filter(([name]) => name.startsWith("overview") || name.startsWith("breakdown"));
  const worstP95 = Math.max(...dashboards.map(([, xs]) => quantile(xs, 0.95)));
  console.log(
    `\nwriter ${writerResult.rowsPerSecond >= 20_000 ? "meets" : "MISSES"} the 20,000 rows/s target; dashboards' worst p95 ${worstP95.toFixed(1)} ms (${worstP95 <= 150 ? "meets" : "MISSES"} the 150 ms target)`,
  );
  console.log(`sizes: raw ${sizes.raw}, rollups ${sizes.rollups}`);
} finally {
  await cleanup();
}

// ── harness pieces ──────────────────────────────────────────────────────────

/**
 * Offers entries as fast as the writer takes them (backing off while more
 * than half its buffer is waiting, as a saturated gateway would be shed
 * elsewhere), until every entry is confirmed written.
 */
async function feed(writer: RequestLogWriter, next: () => RequestLogEntry[] | null) {
  let recordMs = 0;
  let recorded = 0;
  for (let chunk = next(); chunk; chunk = next()) {
    for (let i = 0; i < chunk.length; i += 1000) {
      while (writer.stats().buffered > 50_000) await sleep(2);
      const t = performance.now();
      const end = Math.min(i + 1000, chunk.length);
      for (let j = i; j < end; j++) writer.record(chunk[j]);
      recordMs += performance.now() - t;
      recorded += end - i;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  await writer.flush({ timeoutMs: 3_600_000 });
  return { recordUs: (recordMs * 1000) / recorded };
}

async function ingestThroughWriter(entries: RequestLogEntry[]) {
  const writer = new RequestLogWriter({ connectionString: url, batchSize: BATCH_SIZE });
  const batchMs: number[] = [];
  let lastCount = 0;
  const watch = setInterval(() => {
    const { count, lastMs } = writer.stats().flushLatency;
    if (count > lastCount && lastMs !== null) batchMs.push(lastMs);
    lastCount = count;
  }, 5);
  const t = performance.now();
  let given = false;
  const { recordUs } = await feed(writer, () => {
    if (given) return null;
    given = true;
    return entries;
  });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(watch);
  const stats = await writer.close();
  if (stats.written !== entries.length) throw new Error(`writer stored ${stats.written} of ${entries.length}`);
  return {
    rowsPerSecond: entries.length / seconds,
    recordUs,
    dropped: stats.dropped,
    batchP50: quantile(batchMs, 0.5),
    batchP95: quantile(batchMs, 0.95),
  };
}

async function singleRowInserts(entries: RequestLogEntry[]): Promise<number> {
  const columns = ENTRY_COLUMNS.map(([, column]) => column);
  const sql = `INSERT INTO request_log (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`;
  const values = (entry: RequestLogEntry) =>
    ENTRY_COLUMNS.map(([field, , type]) => {
      const value = entry[field];
      return type === "jsonb" && value !== null ? JSON.stringify(value) : value;
    });
  let next = 0;
  const t = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      const client = await pool.connect();
      try {
        while (next < entries.length) {
          const entry = entries[next++];
          await client.query({ name: "single_row_insert", text: sql, values: values(entry) });
        }
      } finally {
        client.release();
      }
    }),
  );
  return entries.length / ((performance.now() - t) / 1000);
}

async function prismaCreateMany(entries: RequestLogEntry[]): Promise<number> {
  const db = createDb(url);
  try {
    const toRow = (entry: RequestLogEntry) => ({
      ...entry,
      id: randomUUID(),
      guardrails: entry.guardrails,
      requestBody: entry.requestBody ?? undefined,
      responseBody: entry.responseBody ?? undefined,
      toolNames: entry.toolNames ?? undefined,
      modalities: entry.modalities ? [...entry.modalities] : undefined,
    });
    await db.requestLog.createMany({ data: entries.slice(0, 10).map(toRow) }); // connect + warm-up
    const t = performance.now();
    for (let i = 0; i < entries.length; i += 2000) {
      await db.requestLog.createMany({ data: entries.slice(i, i + 2000).map(toRow) });
    }
    return entries.length / ((performance.now() - t) / 1000);
  } finally {
    await db.$disconnect();
  }
}

async function generateWeek(shape: TrafficShape, random: () => number, start: number, end: number) {
  const writer = new RequestLogWriter({ connectionString: url, batchSize: BATCH_SIZE });
  const spacing = (end - start) / DASHBOARD_ROWS;
  let made = 0;
  let lastReport = Date.now();
  const t = performance.now();
  await feed(writer, () => {
    if (made >= DASHBOARD_ROWS) return null;
    const n = Math.min(20_000, DASHBOARD_ROWS - made);
    const offset = made;
    made += n;
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      log(`  ${fmt(writer.stats().written)} rows written…`);
    }
    return makeTraffic(n, shape, random, (i) => new Date(start + Math.floor((offset + i) * spacing)));
  });
  const seconds = (performance.now() - t) / 1000;
  const stats = await writer.close();
  if (stats.written !== DASHBOARD_ROWS) throw new Error(`writer stored ${stats.written} of ${DASHBOARD_ROWS}`);
  return { rowsPerSecond: DASHBOARD_ROWS / seconds };
}
