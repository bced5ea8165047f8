// The writer's configuration (options, their defaults, its pool) and health
// figures (stats() feeds /metrics and the health page), kept apart from the
// buffering logic in writer.ts.
import pg from "pg";
import type { SpoolStats } from "./spool";

export interface RequestLogWriterOptions {
  /** A pool for the writer alone; close() leaves it open. Give this or `connectionString`. */
  pool?: pg.Pool;
  /** Creates the writer's own small pool (ended by close()). */
  connectionString?: string;
  /** Rows held while Postgres is slow or down; past it the oldest are dropped. Default 100,000. */
  maxBuffered?: number;
  /** Rows per statement. Default 2,000 (at most half of maxBuffered). */
  batchSize?: number;
  /** Batches in flight at once (one connection each). Default 2. */
  concurrency?: number;
  /** A batch also stops growing at this many bytes of JSON. Default 8 MiB. */
  maxBatchBytes?: number;
  /** How often buffered rows are written when fewer than a batch are waiting. Default 200 ms. */
  flushIntervalMs?: number;
  /** Retry delay after a failed batch: doubles from min to max (±20 % jitter). Default 100 ms .. 5 s. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How long close() keeps trying to write what is buffered. Default 10 s. */
  closeTimeoutMs?: number;
  /** Where outages, recoveries and rejected entries are reported. Default console.warn. */
  log?: (message: string) => void;
  /**
   * Spool every row to disk before record() returns, and keep rows past `maxBuffered` there instead of dropping
   * them (spool.ts). Default: none (memory only). The process's writer sets it (runtime.ts).
   */
  spool?: { dir: string; maxBytes: number; segmentBytes?: number; segmentAgeMs?: number };
}

export type WriterSettings = Required<
  Pick<
    RequestLogWriterOptions,
    | "maxBuffered"
    | "batchSize"
    | "concurrency"
    | "maxBatchBytes"
    | "flushIntervalMs"
    | "retryMinMs"
    | "retryMaxMs"
    | "closeTimeoutMs"
    | "log"
  >
>;

/** The options with their defaults applied and their bounds enforced. */
export function writerSettings(options: RequestLogWriterOptions): WriterSettings {
  const maxBuffered = Math.max(2, Math.floor(options.maxBuffered ?? 100_000));
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
  const retryMinMs = options.retryMinMs ?? 100;
  return {
    maxBuffered,
    concurrency,
    // Batches in flight cannot be dropped from, so they must leave room in the buffer.
    batchSize: Math.max(
      1,
      Math.min(Math.floor(options.batchSize ?? 2_000), Math.floor(maxBuffered / (concurrency + 1))),
    ),
    maxBatchBytes: options.maxBatchBytes ?? 8 * 1024 * 1024,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    retryMinMs,
    retryMaxMs: Math.max(retryMinMs, options.retryMaxMs ?? 5_000),
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    log: options.log ?? ((message) => console.warn(`[request-log] ${message}`)),
  };
}

/** The given pool, or a small one of the writer's own (which close() then ends). */
export function writerPool(options: RequestLogWriterOptions): { pool: pg.Pool; ownsPool: boolean } {
  let pool: pg.Pool;
  if (options.pool) pool = options.pool;
  else if (options.connectionString)
    pool = new pg.Pool({
      connectionString: options.connectionString,
      // One more for replaying the spool beside the batches.
      max: Math.max(1, options.concurrency ?? 2) + (options.spool ? 1 : 0),
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // A hung server must fail the attempt (and retry), not stall the log forever.
      query_timeout: 60_000,
      application_name: "switchyard-request-log",
    });
  else throw new Error("RequestLogWriter needs a pool or a connectionString");
  // An idle client losing its server emits 'error'; unhandled, that would crash the process.
  pool.on("error", () => {});
  return { pool, ownsPool: !options.pool };
}

export interface RequestLogWriterError {
  message: string;
  /** SQLSTATE or Node error code, when there is one. */
  code?: string;
  at: Date;
}

/** Upper bounds (ms) of the flush-latency histogram. */
const FLUSH_LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface RequestLogWriterStats {
  /** Entries accepted by record(). */
  recorded: number;
  /** Accepted and not yet written (queued plus the batch in flight). */
  buffered: number;
  /** Confirmed stored in Postgres. */
  written: number;
  /**
   * Lost: evicted as the oldest past maxBuffered without a spool copy, recorded after close(), or still unwritten
   * (and not spooled) when close() gave up.
   */
  dropped: number;
  /** Evicted from memory past maxBuffered but kept in the spool: replayed once Postgres is back, not lost. */
  evicted: number;
  /** Rows stored from spool files (a dead process's, or evicted ones); rows already stored count as duplicates. */
  replayed: number;
  /** The on-disk spool, when there is one. */
  spool: SpoolStats | null;
  /** Refused by record() (entry breaks the contract) or by Postgres even without bodies; never stored. */
  rejected: number;
  /** Stored without bodies/guardrails after Postgres refused the full entry. */
  salvaged: number;
  /** Entries whose (id, startedAt) was already stored: a retried batch whose first commit was not acknowledged, or a repeated id. */
  duplicates: number;
  /** Batches written / failed attempts. */
  batches: number;
  failures: number;
  /** Delay before the next retry; 0 while healthy. */
  backoffMs: number;
  lastError: RequestLogWriterError | null;
  lastFlushAt: Date | null;
  /** Duration of successful batch statements. */
  flushLatency: {
    lastMs: number | null;
    maxMs: number;
    count: number;
    sumMs: number;
    /** Cumulative counts per FLUSH_LATENCY_BUCKETS_MS bound (Prometheus style); the total is `count`. */
    buckets: { leMs: number; count: number }[];
  };
}

export function errorInfo(error: unknown): RequestLogWriterError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { message: message || "unknown error", ...(typeof code === "string" ? { code } : {}), at: new Date() };
}

/** The flush-latency figures: per-bucket counts kept raw, made cumulative on read. */
export class FlushLatency {
  private lastMs: number | null = null;
  private maxMs = 0;
  private count = 0;
  private sumMs = 0;
  private readonly counts = new Array<number>(FLUSH_LATENCY_BUCKETS_MS.length).fill(0);

  observe(ms: number): void {
    this.lastMs = ms;
    this.maxMs = Math.max(this.maxMs, ms);
    this.count++;
    this.sumMs += ms;
    const index = FLUSH_LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (index >= 0) this.counts[index]++;
  }

  snapshot(): RequestLogWriterStats["flushLatency"] {
    let cumulative = 0;
    return {
      lastMs: this.lastMs,
      maxMs: this.maxMs,
      count: this.count,
      sumMs: this.sumMs,
      buckets: FLUSH_LATENCY_BUCKETS_MS.map((leMs, i) => {
        cumulative += this.counts[i];
        return { leMs, count: cumulative };
      }),
    };
  }
}
