// The request log's sink: record() validates, serialises, appends the row to
// the on-disk spool (when configured: spool.ts) and to a bounded in-memory
// buffer; a background loop writes batches with one statement each
// (ingest.ts) on a dedicated pg pool. When Postgres is unreachable the rows
// stay buffered and the batch is retried with backoff; past `maxBuffered` the
// oldest rows leave memory: kept on disk when spooled (and replayed once
// Postgres is back), else dropped and counted. Up to `concurrency` batches are
// in flight at once (Node serialises the next batch while Postgres stores one,
// and Postgres can use a core per batch), so batches may commit out of order.
import type pg from "pg";
import { errorLogIntervalMs } from "@/server/repeated-log";
import { writeRows } from "./batch-write";
import { entryProblem, salvageEntry, serializeEntry } from "./ingest";
import { Ring } from "./ring";
import { RequestLogSpool } from "./spool";
import { replaySpoolFile } from "./spool-replay";
import { TrafficCounters, type TrafficSnapshot } from "./traffic";
import type { RequestLogEntry, RequestLogSink } from "./types";
import {
  errorInfo,
  FlushLatency,
  type RequestLogWriterError,
  type RequestLogWriterOptions,
  type RequestLogWriterStats,
  type WriterSettings,
  writerPool,
  writerSettings,
} from "./writer-config";

export type {
  RequestLogWriterError,
  RequestLogWriterOptions,
  RequestLogWriterStats,
} from "./writer-config";

interface Batch {
  /** Serialised rows (serializeEntry), the statement's input. */
  parts: string[];
  /** Entries before this index were dropped while the batch waited for a retry. */
  head: number;
  /** Sequence number of parts[0]. */
  firstSeq: number;
  /** An attempt is in flight (it may commit: never drop from it). */
  writing: boolean;
}

const REJECT_LOG_EVERY_MS = 10_000;

const remaining = (batch: Batch | null) => (batch ? batch.parts.length - batch.head : 0);

/** Removes the batch's oldest row; returns its sequence number. */
function dropHead(batch: Batch): number {
  batch.parts[batch.head] = "";
  return batch.firstSeq + batch.head++;
}

/** close() gave up on a replay: the file stays for the next start. */
class ReplayAbandoned extends Error {}

export class RequestLogWriter implements RequestLogSink {
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private readonly settings: WriterSettings;

  /** Serialised rows not yet in a batch, oldest first. */
  private readonly queue: Ring<string>;
  private readonly spool: RequestLogSpool | null;
  private replaying = false;
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
  /** An outage is reported when it starts and then once per interval (SWITCHYARD_ERROR_LOG_INTERVAL_S). */
  private readonly outageLogEveryMs = errorLogIntervalMs();
  private lastRejectLog = 0;
  private failuresAtOutage = 0;
  private rejectsSinceLog = 0;
  private readonly traffic = new TrafficCounters();

  private counts = {
    recorded: 0,
    written: 0,
    dropped: 0,
    rejected: 0,
    salvaged: 0,
    duplicates: 0,
    evicted: 0,
    replayed: 0,
    batches: 0,
    failures: 0,
  };
  private backoffMs = 0;
  private lastError: RequestLogWriterError | null = null;
  private lastFlushAt: Date | null = null;
  private readonly latency = new FlushLatency();

  constructor(options: RequestLogWriterOptions) {
    ({ pool: this.pool, ownsPool: this.ownsPool } = writerPool(options));
    this.settings = writerSettings(options);
    this.queue = new Ring(this.settings.maxBuffered);
    this.spool = options.spool ? new RequestLogSpool({ ...options.spool, log: this.settings.log }) : null;
    this.timer = setInterval(() => this.tick(), this.settings.flushIntervalMs);
    this.timer.unref();
    if (this.spool?.nextReplay()) void this.replay();
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
      this.rejectEntry(id, new Error(`rejected entry ${id}: ${problem}`), false);
      return;
    }
    let json: string;
    try {
      json = serializeEntry(entry);
    } catch (error) {
      // A BigInt or a cycle in a body: keep the request, without its bodies.
      try {
        json = serializeEntry(salvageEntry(entry));
        this.counts.salvaged++;
      } catch {
        this.rejectEntry(entry.id, error);
        return;
      }
    }
    this.counts.recorded++;
    this.traffic.count(entry);
    // On disk before the caller's answer leaves (a kill -9 then loses nothing answered).
    this.spool?.append(json, this.nextSeq);
    if (this.bufferedCount() >= this.settings.maxBuffered) this.dropOldest();
    this.queue.push(json);
    this.nextSeq++;
    if (this.queue.size >= this.settings.batchSize) this.schedulePump();
  }

  /**
   * Resolves once every entry recorded before the call is written (or
   * dropped/rejected). Retries through an outage until `timeoutMs` (default
   * closeTimeoutMs), then rejects with the last error as cause; the entries
   * stay buffered.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.settings.closeTimeoutMs;
    const target = this.nextSeq;
    const deadline = Date.now() + timeoutMs;
    this.retryAt = 0; // a flush tries now, whatever the backoff
    // Rows evicted to disk, or left by a dead process, count as recorded before any flush.
    while (this.oldestPendingSeq() < target || this.replaying || this.spool?.replayPending) {
      this.settle();
      if (this.spool?.nextReplay()) void this.replay();
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
   * as dropped (unless it is in the spool, for the next start to replay), and
   * ends the pool if the writer created it. Idempotent.
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
    return {
      ...this.counts,
      spool: this.spool?.stats() ?? null,
      buffered: this.bufferedCount(),
      backoffMs: this.backoffMs,
      lastError: this.lastError,
      lastFlushAt: this.lastFlushAt,
      flushLatency: this.latency.snapshot(),
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
   * for a retry, else of the queue. A spooled row stays on disk (replayed
   * later); any other is lost.
   */
  private dropOldest(): void {
    const index = this.batches.findIndex((batch) => !batch.writing);
    let seq: number;
    if (index >= 0) {
      const batch = this.batches[index];
      seq = dropHead(batch);
      if (remaining(batch) === 0) this.batches.splice(index, 1);
    } else {
      seq = this.nextSeq - this.queue.size;
      this.queue.shift();
    }
    if (this.spool?.evict(seq)) this.counts.evicted++;
    else this.counts.dropped++;
    this.notify();
  }

  private takeBatch(): Batch | null {
    const firstSeq = this.nextSeq - this.queue.size;
    const parts: string[] = [];
    let bytes = 0;
    while (this.queue.size > 0 && parts.length < this.settings.batchSize && bytes < this.settings.maxBatchBytes) {
      const json = this.queue.shift()!;
      parts.push(json);
      bytes += json.length;
    }
    return parts.length > 0 ? { parts, head: 0, firstSeq, writing: false } : null;
  }

  // ── writing ───────────────────────────────────────────────────────────────

  private tick(): void {
    if (this.bufferedCount() > 0) this.pump();
    if (this.spool) {
      this.spool.sync();
      this.settle();
      if (this.spool.nextReplay()) void this.replay();
    }
  }

  /** Lets the spool delete (or queue for replay) the segments whose rows are all settled. */
  private settle(): void {
    this.spool?.settle(this.oldestPendingSeq(), this.bufferedCount() < this.settings.maxBuffered / 2);
  }

  /** Runs pump() soon (not inside record(), which must stay cheap). */
  private schedulePump(): void {
    if (this.pumpScheduled || this.inFlight >= this.settings.concurrency) return;
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
    if (this.abandoned || this.inFlight >= this.settings.concurrency || Date.now() < this.retryAt) return;
    let batch = this.batches.find((candidate) => !candidate.writing);
    if (!batch) {
      batch = this.takeBatch() ?? undefined;
      if (!batch) return;
      this.batches.push(batch);
    }
    void this.attempt(batch);
    if (this.inFlight < this.settings.concurrency && (this.queue.size > 0 || this.batches.some((b) => !b.writing))) {
      this.schedulePump();
    }
  }

  /** One try at storing the batch. */
  private async attempt(batch: Batch): Promise<void> {
    const parts = batch.parts.slice(batch.head);
    batch.writing = true;
    this.inFlight++;
    const started = performance.now();
    try {
      const outcome = await writeRows(this.pool, parts);
      this.latency.observe(performance.now() - started);
      this.counts.written += outcome.stored;
      this.stored(outcome);
      this.forget(batch);
      this.settle();
    } catch (error) {
      batch.writing = false;
      this.failed(error);
      if (this.abandoned) {
        // Lost unless the spool has them (the next start replays those).
        for (let i = batch.head; i < batch.parts.length; i++)
          if (!this.spool?.evict(batch.firstSeq + i)) this.counts.dropped++;
        this.forget(batch);
      }
    } finally {
      this.inFlight--;
      this.notify();
      // A full batch or a retry goes out at once; a partial one waits for the tick (or a flush()), so that under
      // steady traffic a batch carries a tick's worth of rows: the statement's fixed cost (rollup upserts, one
      // round trip) is paid per tick, not per few rows, in Postgres and here.
      if (this.queue.size >= this.settings.batchSize || this.batches.some((b) => !b.writing)) this.pump();
    }
  }

  /** Bookkeeping after a statement succeeded (a batch, or a replayed part of a spool file). */
  private stored(outcome: Awaited<ReturnType<typeof writeRows>>): void {
    this.counts.duplicates += outcome.stored - outcome.inserted;
    this.counts.salvaged += outcome.salvaged;
    for (const { id, error, rejected } of outcome.problems) {
      if (rejected) this.rejectEntry(id, error);
      else this.settings.log(`stored entry ${id} without bodies: ${errorInfo(error).message}`);
    }
    this.counts.batches++;
    this.lastFlushAt = new Date();
    this.backoffMs = 0;
    if (this.outageSince !== null) {
      this.settings.log(
        `Postgres reachable again after ${Math.round((Date.now() - this.outageSince) / 1000)} s ` +
          `(${this.counts.failures - this.failuresAtOutage} failed attempts meanwhile)`,
      );
      this.outageSince = null;
    }
  }

  /** A failed statement: backoff, and the outage said once per interval, with counts (never once per batch). */
  private failed(error: unknown): void {
    this.counts.failures++;
    this.lastError = errorInfo(error);
    const now = Date.now();
    // Batches failing together (an outage) back off once, not once each.
    if (now >= this.retryAt) {
      this.backoffMs = Math.min(
        this.settings.retryMaxMs,
        this.backoffMs ? this.backoffMs * 2 : this.settings.retryMinMs,
      );
      this.retryAt = now + this.backoffMs * (0.8 + Math.random() * 0.4);
    }
    if (this.outageSince === null) {
      this.outageSince = now;
      this.failuresAtOutage = this.counts.failures - 1;
    }
    if (now - this.lastOutageLog >= this.outageLogEveryMs) {
      this.lastOutageLog = now;
      const spool = this.spool?.stats();
      this.settings.log(
        `cannot write to Postgres for ${Math.round((now - this.outageSince) / 1000)} s (${this.lastError.message}); ` +
          `${this.bufferedCount()} entries buffered in memory` +
          (spool ? `, ${this.counts.evicted} moved to the spool (${(spool.bytes / 1024 / 1024).toFixed(1)} MiB)` : "") +
          `, ${this.counts.failures - this.failuresAtOutage} failed attempts; retrying`,
      );
    }
  }

  /**
   * Stores the spool files waiting for it (a dead process's, or segments holding rows evicted from memory), one
   * batch at a time, retrying through an outage; each file is deleted once all its rows are stored.
   */
  private async replay(): Promise<void> {
    const spool = this.spool;
    if (!spool || this.replaying) return;
    this.replaying = true;
    try {
      for (let file = spool.nextReplay(); file && !this.abandoned; file = spool.nextReplay()) {
        const { unreadable } = await replaySpoolFile(file, {
          batchSize: this.settings.batchSize,
          maxBatchBytes: this.settings.maxBatchBytes,
          write: (parts) => this.writeReplayed(parts),
        });
        if (unreadable > 0) this.settings.log(`skipped ${unreadable} unreadable line(s) of spool file ${file}`);
        spool.replayed(file);
      }
    } catch (error) {
      if (!(error instanceof ReplayAbandoned))
        this.settings.log(`replaying the spool failed: ${errorInfo(error).message}`);
    } finally {
      this.replaying = false;
      this.notify();
    }
  }

  private async writeReplayed(parts: string[]): Promise<void> {
    for (;;) {
      if (this.abandoned) throw new ReplayAbandoned();
      const wait = this.retryAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.abandoned) throw new ReplayAbandoned();
      try {
        const outcome = await writeRows(this.pool, parts);
        this.counts.replayed += outcome.inserted;
        this.stored(outcome);
        return;
      } catch (error) {
        this.failed(error);
      } finally {
        this.notify();
      }
    }
  }

  private forget(batch: Batch): void {
    const index = this.batches.indexOf(batch);
    if (index >= 0) this.batches.splice(index, 1);
  }

  /** Counts and reports a rejected entry; the log is rate-limited (a bug upstream can reject every request). */
  private rejectEntry(id: string, error: unknown, prefix = true): void {
    this.counts.rejected++;
    const info = errorInfo(error);
    this.lastError = prefix ? { ...info, message: `rejected entry ${id}: ${info.message}` } : info;
    this.rejectsSinceLog++;
    const now = Date.now();
    if (now - this.lastRejectLog >= REJECT_LOG_EVERY_MS) {
      const more = this.rejectsSinceLog > 1 ? ` (${this.rejectsSinceLog - 1} more since the last report)` : "";
      this.settings.log(`${this.lastError.message}${more}`);
      this.lastRejectLog = now;
      this.rejectsSinceLog = 0;
    }
  }

  /** close() gave up: what is still in memory is lost unless the spool has it (the next start replays it). */
  private abandonPending(): void {
    this.abandoned = true;
    let lost = 0;
    let kept = 0;
    const count = (seq: number) => {
      if (this.spool?.evict(seq)) kept++;
      else lost++;
    };
    for (let seq = this.nextSeq - this.queue.size; seq < this.nextSeq; seq++) count(seq);
    this.queue.clear();
    for (const batch of this.batches.filter((candidate) => !candidate.writing)) {
      for (let i = batch.head; i < batch.parts.length; i++) count(batch.firstSeq + i);
      this.forget(batch);
    }
    // Batches still in flight may commit; if not, their rows are in the spool (or counted when they fail).
    this.spool?.close(this.oldestPendingSeq());
    if (lost > 0) {
      this.counts.dropped += lost;
      this.lastError = { message: `closed with ${lost} entries unwritten`, at: new Date() };
      this.settings.log(this.lastError.message);
    }
    if (kept > 0 || this.spool?.stats().backlog)
      this.settings.log(`closed with ${kept} entries unwritten, kept in the spool for the next start`);
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
