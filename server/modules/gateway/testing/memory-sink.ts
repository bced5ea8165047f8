import type { RequestLogEntry, RequestLogSink } from "@/server/modules/request-log/types";

/** A sink that keeps entries in memory, for tests: `entries`, `byId`, and `waitFor` for rows written after a stream ends. */
export class MemorySink implements RequestLogSink {
  readonly entries: RequestLogEntry[] = [];
  private waiters: { predicate: (e: RequestLogEntry) => boolean; resolve: (e: RequestLogEntry) => void }[] = [];

  record(entry: RequestLogEntry) {
    this.entries.push(entry);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(entry)) return true;
      w.resolve(entry);
      return false;
    });
  }

  /** All entries for one request id (a correct gateway writes exactly one). */
  byId(id: string): RequestLogEntry[] {
    return this.entries.filter((e) => e.id === id);
  }

  /** The first entry matching, now or when it is written (rejects after `timeoutMs`). */
  waitFor(predicate: (e: RequestLogEntry) => boolean, timeoutMs = 5_000): Promise<RequestLogEntry> {
    const found = this.entries.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching request-log entry was written")), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  clear() {
    this.entries.length = 0;
  }
}
