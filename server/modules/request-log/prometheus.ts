// /metrics in the Prometheus text exposition format (version 0.0.4). The
// route that serves it is mounted elsewhere; this only renders. The
// switchyard_* families come from snapshots (pre-aggregated counters and
// histogram buckets, which prom-client's metric types cannot take) and are
// written here; the process_* and nodejs_* ones are prom-client's default
// collectors, appended.
import { collectDefaultMetrics, Registry } from "prom-client";
import { HISTOGRAM_BOUNDS_MS } from "./histogram";
import type { Queryable } from "./queryable";
import { STATUS_CLASSES, type TrafficSnapshot } from "./traffic";
import type { RequestLogWriterStats } from "./writer";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface PrometheusInput {
  /** The process's request-log writer: gateway traffic and writer health. */
  writer?: { stats(): RequestLogWriterStats; trafficSnapshot(): TrafficSnapshot };
  /** Adds database gauges (reachability, partitions, rows stuck in the default partition). */
  db?: Queryable;
  /** process_* and nodejs_* metrics (default true). */
  process?: boolean;
  /** Bound on the database queries (default 2 s); past it the gauges report the database as down. */
  dbTimeoutMs?: number;
}

type Labels = Record<string, string>;
interface Sample {
  suffix?: string;
  labels?: Labels;
  value: number;
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

class Exposition {
  private readonly lines: string[] = [];

  metric(name: string, type: "counter" | "gauge" | "histogram", help: string, samples: Sample[]): this {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const sample of samples) {
      const labels = Object.entries(sample.labels ?? {});
      const rendered = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
      this.lines.push(`${name}${sample.suffix ?? ""}${rendered} ${formatValue(sample.value)}`);
    }
    return this;
  }

  /** A histogram from per-bucket (non-cumulative) counts and the bucket upper bounds. */
  histogram(name: string, help: string, bounds: readonly number[], counts: readonly number[], sum: number): this {
    let cumulative = 0;
    const samples: Sample[] = bounds.map((le, i) => {
      cumulative += counts[i] ?? 0;
      return { suffix: "_bucket", labels: { le: formatValue(le) }, value: cumulative };
    });
    for (let i = bounds.length; i < counts.length; i++) cumulative += counts[i];
    samples.push(
      { suffix: "_bucket", labels: { le: "+Inf" }, value: cumulative },
      { suffix: "_sum", value: sum },
      { suffix: "_count", value: cumulative },
    );
    return this.metric(name, "histogram", help, samples);
  }

  /**
   * Families already in the exposition format (prom-client's), minus the
   * blank lines between them, and with NaN spelt as the format spells it
   * (prom-client 15 writes "Nan", e.g. for event-loop lag before any sample).
   */
  exposition(text: string): this {
    for (const line of text.split("\n")) {
      if (line !== "") this.lines.push(line.startsWith("#") ? line : line.replace(/ Nan$/, " NaN"));
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

/**
 * Request latencies are kept in √2-wide buckets; Prometheus gets every
 * second bound (powers of two, 1 ms .. 262 s) in seconds, which keeps the
 * series count modest.
 */
function coarseLatency(counts: readonly number[]): { bounds: number[]; counts: number[] } {
  const bounds: number[] = [];
  const merged: number[] = [];
  let pending = 0;
  for (let i = 0; i < counts.length; i++) {
    pending += counts[i];
    const upper = HISTOGRAM_BOUNDS_MS[i]; // bucket i is below bounds[i]
    if (upper !== undefined && i % 2 === 0) {
      bounds.push(upper / 1000);
      merged.push(pending);
      pending = 0;
    }
  }
  merged.push(pending); // the open-ended rest
  return { bounds, counts: merged };
}

function renderTraffic(out: Exposition, traffic: TrafficSnapshot): void {
  out.metric(
    "switchyard_gateway_requests_total",
    "counter",
    "Gateway requests recorded by this process, by HTTP status class.",
    STATUS_CLASSES.map((klass) => ({ labels: { status_class: klass }, value: traffic.requests[klass] })),
  );
  out.metric("switchyard_gateway_tokens_total", "counter", "Tokens of recorded gateway requests.", [
    { labels: { direction: "in" }, value: traffic.tokensIn },
    { labels: { direction: "out" }, value: traffic.tokensOut },
  ]);
  out.metric("switchyard_gateway_cost_usd_total", "counter", "Cost of recorded gateway requests in USD.", [
    { value: traffic.costUsd },
  ]);
  out.metric("switchyard_gateway_cache_hits_total", "counter", "Gateway requests answered from the cache.", [
    { value: traffic.cacheHits },
  ]);
  const latency = coarseLatency(traffic.latency.counts);
  out.histogram(
    "switchyard_gateway_request_duration_seconds",
    "Gateway request latency.",
    latency.bounds,
    latency.counts,
    traffic.latency.sumMs / 1000,
  );
  const ttft = coarseLatency(traffic.ttft.counts);
  out.histogram(
    "switchyard_gateway_time_to_first_token_seconds",
    "Time to first token of gateway requests that reported one.",
    ttft.bounds,
    ttft.counts,
    traffic.ttft.sumMs / 1000,
  );
}

function renderWriter(out: Exposition, stats: RequestLogWriterStats): void {
  out.metric("switchyard_request_log_buffered", "gauge", "Request-log entries waiting to be written.", [
    { value: stats.buffered },
  ]);
  const counters: [string, string, number][] = [
    ["recorded", "Request-log entries accepted by the writer.", stats.recorded],
    ["written", "Request-log entries confirmed stored in Postgres.", stats.written],
    ["dropped", "Request-log entries lost (buffer bound exceeded, or unwritten at shutdown).", stats.dropped],
    ["rejected", "Request-log entries refused as invalid (never stored).", stats.rejected],
    ["salvaged", "Request-log entries stored without their bodies after Postgres refused them.", stats.salvaged],
    ["duplicates", "Request-log entries whose id was already stored.", stats.duplicates],
    ["evicted", "Request-log entries moved out of memory to the on-disk spool (not lost).", stats.evicted],
    ["replayed", "Request-log entries stored from spool files.", stats.replayed],
    ["batches", "Request-log batches written.", stats.batches],
    ["flush_failures", "Failed request-log batch attempts (retried).", stats.failures],
  ];
  for (const [name, help, value] of counters) {
    out.metric(`switchyard_request_log_${name}_total`, "counter", help, [{ value }]);
  }
  out.metric("switchyard_request_log_spool_bytes", "gauge", "Bytes of request-log spool files on disk.", [
    { value: stats.spool?.bytes ?? 0 },
  ]);
  out.metric("switchyard_request_log_retry_backoff_seconds", "gauge", "Current retry delay; 0 while healthy.", [
    { value: stats.backoffMs / 1000 },
  ]);
  out.metric(
    "switchyard_request_log_last_flush_timestamp_seconds",
    "gauge",
    "When the last batch was written (0: never).",
    [{ value: stats.lastFlushAt ? stats.lastFlushAt.getTime() / 1000 : 0 }],
  );
  const bounds = stats.flushLatency.buckets.map((bucket) => bucket.leMs / 1000);
  const perBucket = stats.flushLatency.buckets.map((bucket, i, all) => bucket.count - (i ? all[i - 1].count : 0));
  const above = stats.flushLatency.count - (stats.flushLatency.buckets.at(-1)?.count ?? 0);
  out.histogram(
    "switchyard_request_log_flush_duration_seconds",
    "Duration of request-log batch statements.",
    bounds,
    [...perBucket, above],
    stats.flushLatency.sumMs / 1000,
  );
}

async function renderDatabase(out: Exposition, db: Queryable, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const { rows } = await Promise.race([
      db.query<{ partitions: number; default_rows: number; oldest_day: string | null }>(
        `SELECT
  (SELECT count(*) FROM pg_inherits WHERE inhparent = 'request_log'::regclass)::float8 AS partitions,
  (SELECT count(*) FROM (SELECT 1 FROM request_log_default LIMIT 100000) AS d)::float8 AS default_rows,
  (SELECT min(substr(c.relname, 14)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
   WHERE i.inhparent = 'request_log'::regclass AND c.relname ~ '^request_log_p[0-9]{8}$') AS oldest_day`,
      ),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
    const row = rows[0];
    const oldest = row.oldest_day
      ? Date.UTC(+row.oldest_day.slice(0, 4), +row.oldest_day.slice(4, 6) - 1, +row.oldest_day.slice(6, 8)) / 1000
      : 0;
    out
      .metric("switchyard_db_up", "gauge", "1 when the database answered the metrics query.", [{ value: 1 }])
      .metric("switchyard_request_log_partitions", "gauge", "Partitions of request_log (daily ones + default).", [
        { value: row.partitions },
      ])
      .metric(
        "switchyard_request_log_default_partition_rows",
        "gauge",
        "Rows in the default partition (capped at 100000); above 0 means a day had no partition: run maintenance.",
        [{ value: row.default_rows }],
      )
      .metric(
        "switchyard_request_log_oldest_partition_timestamp_seconds",
        "gauge",
        "Start of the oldest daily partition kept (0: none).",
        [{ value: oldest }],
      );
  } catch {
    out.metric("switchyard_db_up", "gauge", "1 when the database answered the metrics query.", [{ value: 0 }]);
  } finally {
    clearTimeout(timer);
  }
}

const globalForMetrics = globalThis as unknown as { switchyardProcessMetrics?: Registry };

/**
 * prom-client's default collectors (CPU, memory, heap spaces, event-loop lag,
 * GC, file descriptors, handles, version) on a registry of their own, never
 * the global one. Made on the first scrape: the event-loop and GC monitors
 * then run for the life of the process (kept on globalThis so that Next's dev
 * reloads do not start more of them).
 */
function processMetrics(): Registry {
  if (!globalForMetrics.switchyardProcessMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    globalForMetrics.switchyardProcessMetrics = registry;
  }
  return globalForMetrics.switchyardProcessMetrics;
}

/**
 * The registry /metrics renders after the switchyard_* families: a module that counts something of its own
 * (e.g. online evaluation's dropped samples) registers its prom-client metric here.
 */
export function processMetricsRegistry(): Registry {
  return processMetrics();
}

/** The /metrics body. Never throws for a database problem: switchyard_db_up says 0. */
export async function renderPrometheus(input: PrometheusInput = {}): Promise<string> {
  const out = new Exposition();
  if (input.writer) {
    renderTraffic(out, input.writer.trafficSnapshot());
    renderWriter(out, input.writer.stats());
  }
  if (input.db) await renderDatabase(out, input.db, input.dbTimeoutMs ?? 2000);
  if (input.process !== false) out.exposition(await processMetrics().metrics());
  return out.toString();
}
