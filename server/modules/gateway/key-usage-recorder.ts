/**
 * Settles key-limit reservations off the hot path: `record()` sums each
 * correction (what a request used minus what it reserved, per key and
 * window) into memory; a timer writes the sums in one statement (default
 * every 250 ms). A failed write keeps the sums and is retried with backoff,
 * so usage is never lost silently while the process lives (the error is
 * logged once per failure streak); `close()` flushes. Until a correction is
 * written, the reservation stands: the counters err toward refusing.
 *
 * Only keys with limits are recorded (`key-limits.ts` decides).
 */
import type { Db } from "@/server/db";
import { settleUsage, type UsageDelta } from "@/server/modules/api-keys/counters";

export interface KeyUsageRecorderOptions {
  /** How long sums wait before being written. Default 250 ms. */
  intervalMs?: number;
}

export class KeyUsageRecorder {
  private pending = new Map<string, UsageDelta>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  private readonly intervalMs: number;

  constructor(
    private readonly db: Db,
    options: KeyUsageRecorderOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
  }

  record(delta: UsageDelta) {
    if (!Number.isFinite(delta.tokens) || !Number.isFinite(delta.costUsd)) return;
    if (delta.tokens === 0 && delta.costUsd === 0) return;
    this.add(delta);
    this.schedule(this.intervalMs);
  }

  private add(delta: UsageDelta) {
    const id = `${delta.keyId}|${delta.minute?.getTime() ?? ""}|${delta.day ?? ""}`;
    const sum = this.pending.get(id);
    if (!sum) this.pending.set(id, { ...delta });
    else {
      sum.tokens += delta.tokens;
      sum.costUsd += delta.costUsd;
    }
  }

  /** Sums (per key and window) not yet written (tests, metrics). */
  get pendingKeys() {
    return this.pending.size;
  }

  /** Writes everything recorded so far; rejects if the database refuses (the sums stay pending). */
  async flush(): Promise<void> {
    if (this.writing) await this.writing.catch(() => {});
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = settleUsage(this.db, batch).then(
      () => {
        if (this.failures > 0)
          console.info(`[gateway] key usage counters written again after ${this.failures} failures`);
        this.failures = 0;
      },
      (error) => {
        // Put the sums back (merged with anything recorded meanwhile) and try again later.
        for (const delta of batch) this.add(delta);
        if (this.failures++ === 0) console.error("[gateway] writing key usage counters failed; retrying", error);
        this.schedule(Math.min(100 * 2 ** this.failures, 5_000));
        throw error;
      },
    );
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private schedule(delayMs: number) {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(() => {});
    }, delayMs);
    this.timer.unref?.();
  }
}
