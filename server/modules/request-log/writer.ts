// The request log's sink: record() only validates and appends to a bounded
// in-memory buffer; a background loop writes batches with one statement each
// (ingest.ts) on a dedicated pg pool. When Postgres is unreachable the rows
// stay buffered and the batch is retried with backoff; past `maxBuffered` the
// oldest rows are dropped and counted. Up to `concurrency` batches are in
// flight at once (Node serialises the next batch while Postgres stores one,
// and Postgres can use a core per batch), so batches may commit out of order.
import pg from "pg";
import { entryProblem, INGEST_SQL, INGEST_STATEMENT_NAME, salvageEntry, serializeEntry } from "./ingest";
import { Ring } from "./ring";
import { TrafficCounters, type TrafficSnapshot } from "./traffic";
import type { RequestLogEntry, RequestLogSink } from "./types";

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
}

export interface RequestLogWriterError {
  message: string;
  /** SQLSTATE or Node error code, when there is one. */
  code?: string;
  at: Date;
}

/** Upper bounds (ms) of the flush-latency histogram. */
export const FLUSH_LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface RequestLogWriterStats {
  /** Entries accepted by record(). */
  recorded: number;
  /** Accepted and not yet written (queued plus the batch in flight). */
  buffered: number;
  /** Confirmed stored in Postgres. */
  written: number;
  /** Lost: evicted as the oldest past maxBuffered, recorded after close(), or still unwritten when close() gave up. */
  dropped: number;
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

interface Batch {
  entries: RequestLogEntry[];
  parts: string[];
  /** Entries before this index were dropped while the batch waited for a retry. */
  head: number;
  /** Sequence number of entries[0]. */
  firstSeq: number;
  /** An attempt is in flight (it may commit: never drop from it). */
  writing: boolean;
}

interface WriteOutcome {
  stored: number;
  inserted: number;
  rejected: number;
  salvaged: number;
  /** Entries Postgres refused in full: stored without bodies (salvaged) or not at all (rejected). */
  problems: { entry: RequestLogEntry; error: unknown; rejected: boolean }[];
}

const DATA_ERROR = /^(22|23|54)[0-9A-Z]{3}$/;

/** SQLSTATE classes 22 (data), 23 (constraint) and 54 (limits): retrying the same rows cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DATA_ERROR.test(code);
}

function errorInfo(error: unknown): RequestLogWriterError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { message: message || "unknown error", ...(typeof code === "string" ? { code } : {}), at: new Date() };
}

const OUTAGE_LOG_EVERY_MS = 30_000;
const REJECT_LOG_EVERY_MS = 10_000;

const remaining = (batch: Batch | null) => (batch ? batch.entries.length - batch.head : 0);

function dropHead(batch: Batch): void {
  batch.entries[batch.head] = undefined as unknown as RequestLogEntry;
  batch.parts[batch.head] = "";
  batch.head++;
}

export class RequestLogWriter implements RequestLogSink {
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly maxBuffered: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxBatchBytes: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly closeTimeoutMs: number;
  private readonly log: (message: string) => void;

  private readonly queue: Ring<RequestLogEntry>;
  /** Batches taken from the queue and not yet stored, oldest first: in flight, or waiting for a retry. */
  private batches: Batch[] = [];
  /** Sequence number the next recorded entry gets. */
  private nextSeq = 0;
  private inFlight = 0;
  private pumpScheduled = false;
  private retryAt = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private closing: Promise<RequestLogWriterStats> | null = null;
  /** close() gave up: nothing new is attempted, and batches in flight are dropped if they fail. */
  private abandoned = false;
  private waiters: (() => void)[] = [];
  private outageSince: number | null = null;
  private lastOutageLog = 0;
  private lastRejectLog = 0;
  private rejectsSinceLog = 0;
  private readonly traffic = new TrafficCounters();

  private counts = {
    recorded: 0,
    written: 0,
    dropped: 0,
    rejected: 0,
    salvaged: 0,
    duplicates: 0,
    batches: 0,
    failures: 0,
  };
  private backoffMs = 0;
  private lastError: RequestLogWriterError | null = null;
  private lastFlushAt: Date | null = null;
  private latency = {
    lastMs: null as number | null,
    maxMs: 0,
    count: 0,
    sumMs: 0,
    counts: new Array<number>(FLUSH_LATENCY_BUCKETS_MS.length).fill(0),
  };

  constructor(options: RequestLogWriterOptions) {
    if (options.pool) {
      this.pool = options.pool;
      this.ownsPool = false;
    } else if (options.connectionString) {
      this.pool = new pg.Pool({
        connectionString: options.connectionString,
        max: Math.max(1, options.concurrency ?? 2),
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        // A hung server must fail the attempt (and retry), not stall the log forever.
        query_timeout: 60_000,
        application_name: "switchyard-request-log",
      });
      this.ownsPool = true;
    } else {
      throw new Error("RequestLogWriter needs a pool or a connectionString");
    }
    // An idle client losing its server emits 'error'; unhandled, that would crash the process.
    this.pool.on("error", () => {});
    this.maxBuffered = Math.max(2, Math.floor(options.maxBuffered ?? 100_000));
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 2));
    // Batches in flight cannot be dropped from, so they must leave room in the buffer.
    this.batchSize = Math.max(
      1,
      Math.min(Math.floor(options.batchSize ?? 2_000), Math.floor(this.maxBuffered / (this.concurrency + 1))),
    );
    this.maxBatchBytes = options.maxBatchBytes ?? 8 * 1024 * 1024;
    this.retryMinMs = options.retryMinMs ?? 100;
    this.retryMaxMs = Math.max(this.retryMinMs, options.retryMaxMs ?? 5_000);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.log = options.log ?? ((message) => console.warn(`[request-log] ${message}`));
    this.queue = new Ring(this.maxBuffered);
    this.timer = setInterval(() => this.tick(), options.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  /** Appends the entry to the buffer; never blocks, never throws, never waits for Postgres. */
  record(entry: RequestLogEntry): void {
    if (this.closed) {
      this.counts.dropped++;
      this.lastError = { message: "record() after close(): entry dropped", at: new Date() };
      return;
    }
    const problem = entryProblem(entry);
    if (problem) {
      const id = typeof entry?.id === "string" ? entry.id : "?";
      this.rejectEntry(entry, new Error(`rejected entry ${id}: ${problem}`), false);
      return;
    }
    this.counts.recorded++;
    this.traffic.count(entry);
    if (this.bufferedCount() >= this.maxBuffered) this.dropOldest();
    this.queue.push(entry);
    this.nextSeq++;
    if (this.queue.size >= this.batchSize) this.schedulePump();
  }

  /**
   * Resolves once every entry recorded before the call is written (or
   * dropped/rejected). Retries through an outage until `timeoutMs` (default
   * closeTimeoutMs), then rejects with the last error as cause; the entries
   * stay buffered.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.closeTimeoutMs;
    const target = this.nextSeq;
    const deadline = Date.now() + timeoutMs;
    this.retryAt = 0; // a flush tries now, whatever the backoff
    while (this.oldestPendingSeq() < target) {
      this.pump();
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `request log: ${this.bufferedCount()} entries still unwritten after ${timeoutMs} ms` +
            (this.lastError ? ` (last error: ${this.lastError.message})` : ""),
          { cause: this.lastError ?? undefined },
        );
      }
      const untilRetry = this.retryAt - Date.now();
      await this.waitForProgress(Math.max(5, Math.min(left, untilRetry > 0 ? untilRetry : left)));
    }
  }

  /**
   * Stops accepting entries, writes what is buffered (retrying until
   * `timeoutMs`, default closeTimeoutMs), counts what could not be written
   * as dropped, and ends the pool if the writer created it. Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<RequestLogWriterStats> {
    this.closing ??= (async () => {
      this.closed = true;
      clearInterval(this.timer);
      try {
        await this.flush(options);
      } catch {
        // counted as dropped just below
      }
      this.abandonPending();
      const endPool = async () => {
        while (this.inFlight > 0) await this.waitForProgress(1000);
        if (this.ownsPool) await this.pool.end().catch(() => {});
      };
      if (this.inFlight > 0) void endPool();
      else await endPool();
      return this.stats();
    })();
    return this.closing;
  }

  stats(): RequestLogWriterStats {
    let cumulative = 0;
    return {
      ...this.counts,
      buffered: this.bufferedCount(),
      backoffMs: this.backoffMs,
      lastError: this.lastError,
      lastFlushAt: this.lastFlushAt,
      flushLatency: {
        lastMs: this.latency.lastMs,
        maxMs: this.latency.maxMs,
        count: this.latency.count,
        sumMs: this.latency.sumMs,
        buckets: FLUSH_LATENCY_BUCKETS_MS.map((leMs, i) => {
          cumulative += this.latency.counts[i];
          return { leMs, count: cumulative };
        }),
      },
    };
  }

  /** What record() has seen since the process started (for /metrics). */
  trafficSnapshot(): TrafficSnapshot {
    return this.traffic.snapshot();
  }

  // ── buffer ────────────────────────────────────────────────────────────────

  private bufferedCount(): number {
    let count = this.queue.size;
    for (const batch of this.batches) count += remaining(batch);
    return count;
  }

  /** Sequence number of the oldest entry not yet written, dropped or rejected. */
  private oldestPendingSeq(): number {
    const oldest = this.batches[0];
    return oldest ? oldest.firstSeq + oldest.head : this.nextSeq - this.queue.size;
  }

  /**
   * Evicts the oldest buffered entry that is not part of an attempt in
   * flight (that one may yet commit): the head of the oldest batch waiting
   * for a retry, else of the queue.
   */
  private dropOldest(): void {
    const index = this.batches.findIndex((batch) => !batch.writing);
    if (index >= 0) {
      const batch = this.batches[index];
      dropHead(batch);
      if (remaining(batch) === 0) this.batches.splice(index, 1);
    } else {
      this.queue.shift();
    }
    this.counts.dropped++;
    this.notify();
  }

  private takeBatch(): Batch | null {
    const firstSeq = this.nextSeq - this.queue.size;
    const entries: RequestLogEntry[] = [];
    const parts: string[] = [];
    let bytes = 0;
    while (this.queue.size > 0 && entries.length < this.batchSize && bytes < this.maxBatchBytes) {
      const entry = this.queue.shift()!;
      let json: string;
      try {
        json = serializeEntry(entry);
      } catch (error) {
        // A BigInt or a cycle in a body: keep the request, without its bodies.
        try {
          json = serializeEntry(salvageEntry(entry));
          this.counts.salvaged++;
        } catch {
          // Leaves a gap in the batch's sequence numbers: flush() may then wait for the whole batch, no more.
          this.rejectEntry(entry, error);
          continue;
        }
      }
      entries.push(entry);
      parts.push(json);
      bytes += json.length;
    }
    return entries.length > 0 ? { entries, parts, head: 0, firstSeq, writing: false } : null;
  }

  // ── writing ───────────────────────────────────────────────────────────────

  private tick(): void {
    if (this.bufferedCount() > 0) this.pump();
  }

  /** Runs pump() soon (not inside record(), which must stay cheap). */
  private schedulePump(): void {
    if (this.pumpScheduled || this.inFlight >= this.concurrency) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * Starts an attempt if a slot is free and no backoff is pending: the
   * oldest batch waiting for a retry, else a new batch from the queue. One
   * per call: the next is serialised on the next tick, after this one's
   * statement has gone out.
   */
  private pump(): void {
    if (this.abandoned || this.inFlight >= this.concurrency || Date.now() < this.retryAt) return;
    let batch = this.batches.find((candidate) => !candidate.writing);
    if (!batch) {
      batch = this.takeBatch() ?? undefined;
      if (!batch) return;
      this.batches.push(batch);
    }
    void this.attempt(batch);
    if (this.inFlight < this.concurrency && (this.queue.size > 0 || this.batches.some((b) => !b.writing))) {
      this.schedulePump();
    }
  }

  /** One try at storing the batch. */
  private async attempt(batch: Batch): Promise<void> {
    const entries = batch.entries.slice(batch.head);
    const parts = batch.parts.slice(batch.head);
    batch.writing = true;
    this.inFlight++;
    const started = performance.now();
    try {
      const outcome = await this.writeRows(entries, parts);
      this.observeLatency(performance.now() - started);
      this.counts.written += outcome.stored;
      this.counts.duplicates += outcome.stored - outcome.inserted;
      this.counts.salvaged += outcome.salvaged;
      for (const { entry, error, rejected } of outcome.problems) {
        if (rejected) this.rejectEntry(entry, error);
        else this.log(`stored entry ${entry.id} without bodies: ${errorInfo(error).message}`);
      }
      this.counts.batches++;
      this.forget(batch);
      this.lastFlushAt = new Date();
      this.backoffMs = 0;
      if (this.outageSince !== null) {
        this.log(`Postgres reachable again after ${Math.round((Date.now() - this.outageSince) / 1000)} s`);
        this.outageSince = null;
      }
    } catch (error) {
      batch.writing = false;
      this.counts.failures++;
      this.lastError = errorInfo(error);
      const now = Date.now();
      // Batches failing together (an outage) back off once, not once each.
      if (now >= this.retryAt) {
        this.backoffMs = Math.min(this.retryMaxMs, this.backoffMs ? this.backoffMs * 2 : this.retryMinMs);
        this.retryAt = now + this.backoffMs * (0.8 + Math.random() * 0.4);
      }
      this.outageSince ??= now;
      if (now - this.lastOutageLog >= OUTAGE_LOG_EVERY_MS) {
        this.lastOutageLog = now;
        this.log(
          `cannot write to Postgres (${this.lastError.message}); ${this.bufferedCount()} entries buffered, retrying`,
        );
      }
      if (this.abandoned) {
        this.counts.dropped += remaining(batch);
        this.forget(batch);
      }
    } finally {
      this.inFlight--;
      this.notify();
      this.pump();
    }
  }

  private forget(batch: Batch): void {
    const index = this.batches.indexOf(batch);
    if (index >= 0) this.batches.splice(index, 1);
  }

  /**
   * Writes the rows; when Postgres refuses the data itself, halves the batch
   * until the offending rows are isolated, then tries each without bodies
   * once. Connection and server errors propagate (the caller retries the
   * whole batch; rows already stored are skipped by ON CONFLICT).
   */
  private async writeRows(entries: RequestLogEntry[], parts: string[]): Promise<WriteOutcome> {
    try {
      const inserted = await this.insert(parts);
      return { stored: entries.length, inserted, rejected: 0, salvaged: 0, problems: [] };
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (entries.length === 1) {
        try {
          const inserted = await this.insert([serializeEntry(salvageEntry(entries[0]))]);
          return {
            stored: 1,
            inserted,
            rejected: 0,
            salvaged: 1,
            problems: [{ entry: entries[0], error, rejected: false }],
          };
        } catch (second) {
          if (!isDataError(second)) throw second;
          return {
            stored: 0,
            inserted: 0,
            rejected: 1,
            salvaged: 0,
            problems: [{ entry: entries[0], error: second, rejected: true }],
          };
        }
      }
      const mid = entries.length >> 1;
      const left = await this.writeRows(entries.slice(0, mid), parts.slice(0, mid));
      const right = await this.writeRows(entries.slice(mid), parts.slice(mid));
      return {
        stored: left.stored + right.stored,
        inserted: left.inserted + right.inserted,
        rejected: left.rejected + right.rejected,
        salvaged: left.salvaged + right.salvaged,
        problems: [...left.problems, ...right.problems],
      };
    }
  }

  private async insert(parts: string[]): Promise<number> {
    const result = await this.pool.query<{ inserted: number }>({
      name: INGEST_STATEMENT_NAME,
      text: INGEST_SQL,
      values: [`[${parts.join(",")}]`],
    });
    return result.rows[0]?.inserted ?? 0;
  }

  /** Counts and reports a rejected entry; the log is rate-limited (a bug upstream can reject every request). */
  private rejectEntry(entry: RequestLogEntry, error: unknown, prefix = true): void {
    this.counts.rejected++;
    const info = errorInfo(error);
    this.lastError = prefix ? { ...info, message: `rejected entry ${entry.id}: ${info.message}` } : info;
    this.rejectsSinceLog++;
    const now = Date.now();
    if (now - this.lastRejectLog >= REJECT_LOG_EVERY_MS) {
      const more = this.rejectsSinceLog > 1 ? ` (${this.rejectsSinceLog - 1} more since the last report)` : "";
      this.log(`${this.lastError.message}${more}`);
      this.lastRejectLog = now;
      this.rejectsSinceLog = 0;
    }
  }

  private observeLatency(ms: number): void {
    const latency = this.latency;
    latency.lastMs = ms;
    latency.maxMs = Math.max(latency.maxMs, ms);
    latency.count++;
    latency.sumMs += ms;
    const index = FLUSH_LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (index >= 0) latency.counts[index]++;
  }

  private abandonPending(): void {
    this.abandoned = true;
    let lost = this.queue.size;
    this.queue.clear();
    for (const batch of this.batches.filter((candidate) => !candidate.writing)) {
      lost += remaining(batch);
      this.forget(batch);
    }
    if (lost > 0) {
      this.counts.dropped += lost;
      this.lastError = { message: `closed with ${lost} entries unwritten`, at: new Date() };
      this.log(this.lastError.message);
    }
  }

  // ── progress notifications (flush waits on them) ─────────────────────────

  private notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private waitForProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
