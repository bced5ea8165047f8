// The request log's on-disk spool: every row is appended to a segment file
// (one JSON line, the batch statement's own format) before record() returns,
// so before the request's answer has left. A row in the kernel's page cache
// survives kill -9; the segment is fdatasync'ed at the writer's tick, so a
// machine crash loses at most a tick. Segments are deleted once every row in
// them is stored (or rejected); a segment whose rows were evicted from the
// memory buffer (an outage longer than the buffer) is replayed whole once the
// rest is settled, and segments left by a process that died are replayed by
// the next one to start. Replays are idempotent: the ingest statement skips a
// row whose (id, started_at) is already stored.
import { randomBytes } from "node:crypto";
import {
  close,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";

export interface SpoolOptions {
  /** The folder of this database's segments (see spoolDirFor). */
  dir: string;
  /** Bytes of segment files held at most; past it rows stay in memory only (and the log says so). */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. Default 8 MiB. */
  segmentBytes?: number;
  /** ... or this age, so that written segments are deleted soon. Default 5 s. */
  segmentAgeMs?: number;
  /** How often a full or failing spool is reported. Default 30 s. */
  reportEveryMs?: number;
  log: (message: string) => void;
}

interface Segment {
  file: string;
  fd: number;
  bytes: number;
  /** Sequence numbers of the rows in it: [startSeq, endSeq). */
  startSeq: number;
  endSeq: number;
  openedAt: number;
  /** Some rows left the memory buffer: the whole file is replayed once the others are settled. */
  evicted: boolean;
  dirty: boolean;
  syncing: boolean;
  closeAfterSync: boolean;
}

export interface SpoolStats {
  /** Bytes of segment files on disk (being written, awaiting their rows' storage, or awaiting replay). */
  bytes: number;
  /** Files awaiting replay (left by a dead process, or holding rows evicted from memory). */
  backlog: number;
  /** Rows that could not be spooled (full or failing) and were kept in memory only. */
  memoryOnly: number;
  full: boolean;
}

const SEGMENT = /^(\d+)-([0-9a-f]+)-(\d+)\.jsonl$/;

/** Spool prefixes live in this process, across bundles (Next's and the gateway's share one process). */
const spoolGlobal = globalThis as { switchyardSpools?: Set<string> };
spoolGlobal.switchyardSpools ??= new Set<string>();
const live = spoolGlobal.switchyardSpools;

/**
 * Spools not closed yet: at process exit (a test, a script that never closes its writer) each deletes the
 * segments whose rows are all stored, so only rows Postgres lacks are left for the next start.
 */
const unclosed = new Set<RequestLogSpool>();
let exitHook = false;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * One folder per database (host, port, name; never the password): rows are only ever replayed into the database
 * they were recorded for.
 */
export function spoolDirFor(root: string, databaseUrl: string): string {
  let name = "database";
  try {
    const url = new URL(databaseUrl);
    name = `${url.hostname}_${url.port || "5432"}_${decodeURIComponent(url.pathname.slice(1)) || "postgres"}`;
  } catch {
    // not a URL: one shared folder
  }
  return path.join(root, name.replace(/[^A-Za-z0-9_.-]/g, "_"));
}

export class RequestLogSpool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly segmentAgeMs: number;
  private readonly reportEveryMs: number;
  private readonly log: (message: string) => void;
  /** `<pid>-<random>`: names this process's segments; a dead process's prefix is free to claim. */
  private readonly prefix = `${process.pid}-${randomBytes(4).toString("hex")}`;
  private counter = 0;
  private current: Segment | null = null;
  /** Closed segments whose rows are still in memory, oldest first. */
  private sealed: Segment[] = [];
  private readonly backlog: { file: string; bytes: number }[] = [];
  private totalBytes = 0;
  private memoryOnly = 0;
  private full = false;
  private failingUntil = 0;
  private lastReport = 0;
  private unreported = 0;
  private closed = false;
  /** The last `oldestPending` settle() was given: every row before it is stored or given up. */
  private settledBefore = 0;

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
    this.segmentAgeMs = options.segmentAgeMs ?? 5_000;
    this.reportEveryMs = options.reportEveryMs ?? 30_000;
    this.log = options.log;
    mkdirSync(this.dir, { recursive: true });
    live.add(this.prefix);
    unclosed.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once("exit", () => {
        for (const spool of unclosed) spool.close(spool.settledBefore);
      });
    }
    this.claimOrphans();
  }

  /**
   * Writes the row before returning (one write(2); the answer waits for it). False when it could not be spooled
   * (full, or the disk failing): the row then lives in memory only.
   */
  append(json: string, seq: number): boolean {
    if (this.closed) return false;
    const line = `${json}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.totalBytes + bytes > this.maxBytes) return this.refuse("full", bytes);
    if (Date.now() < this.failingUntil) return this.refuse("failing", bytes);
    try {
      const segment = this.writable(seq);
      const written = writeSync(segment.fd, line);
      segment.bytes += written;
      this.totalBytes += written;
      if (written !== bytes) throw new Error(`short write (${written} of ${bytes} bytes)`);
      segment.endSeq = seq + 1;
      segment.dirty = true;
      if (this.full) {
        this.full = false;
        this.log(`spool has room again (${this.report()})`);
      }
      return true;
    } catch (error) {
      // A torn line is skipped at replay. Retry the disk in a second, not on every request.
      this.failingUntil = Date.now() + 1_000;
      if (this.current) this.seal(this.current);
      this.log(`cannot write to the spool in ${this.dir} (${(error as Error).message}); rows kept in memory only`);
      return this.refuse("failing", bytes);
    }
  }

  /** The row `seq` left the memory buffer: true when it is on disk (its segment is then replayed later). */
  evict(seq: number): boolean {
    const segment = [...this.sealed, ...(this.current ? [this.current] : [])].find(
      (s) => seq >= s.startSeq && seq < s.endSeq,
    );
    if (!segment) return false;
    segment.evicted = true;
    return true;
  }

  /**
   * Every row before `oldestPending` is stored or given up: segments wholly before it are deleted (or queued
   * for replay when rows of theirs were evicted). An old segment, or one holding evicted rows once the memory
   * buffer has room again, is closed so that this can happen to it soon.
   */
  settle(oldestPending: number, memoryHasRoom: boolean): void {
    this.settledBefore = oldestPending;
    const current = this.current;
    if (current && (Date.now() - current.openedAt >= this.segmentAgeMs || (current.evicted && memoryHasRoom)))
      this.seal(current);
    while (this.sealed.length > 0 && this.sealed[0].endSeq <= oldestPending) {
      const segment = this.sealed.shift()!;
      if (segment.evicted) this.backlog.push({ file: segment.file, bytes: segment.bytes });
      else this.remove(segment.file, segment.bytes);
    }
  }

  /** Rows recorded but only on disk are waiting (evicted ones, or a dead process's). */
  get replayPending(): boolean {
    return this.backlog.length > 0 || this.sealed.some((s) => s.evicted) || Boolean(this.current?.evicted);
  }

  /** The oldest file to replay, left in place until `replayed()`. */
  nextReplay(): string | null {
    return this.backlog[0]?.file ?? null;
  }

  /** Its rows are stored: delete it. */
  replayed(file: string): void {
    const index = this.backlog.findIndex((entry) => entry.file === file);
    if (index < 0) return;
    const [entry] = this.backlog.splice(index, 1);
    this.remove(entry.file, entry.bytes);
  }

  /** Starts an fdatasync of the segment being written, when it has new rows (at the writer's tick). */
  sync(): void {
    if (this.current?.dirty) this.syncSegment(this.current, false);
  }

  stats(): SpoolStats {
    return { bytes: this.totalBytes, backlog: this.backlog.length, memoryOnly: this.memoryOnly, full: this.full };
  }

  /**
   * Syncs and closes the segment being written. Segments whose rows are all stored were deleted already;
   * the rest stay for the next process to replay. `oldestPending` settles what it can first.
   */
  close(oldestPending: number): void {
    if (this.closed) return;
    this.settle(oldestPending, false);
    this.closed = true;
    live.delete(this.prefix);
    unclosed.delete(this);
    const current = this.current;
    this.current = null;
    if (current) {
      try {
        fdatasyncSync(current.fd);
      } catch {
        // what the kernel has survives our exit anyway
      }
      closeQuietly(current.fd);
      if (current.endSeq <= oldestPending && !current.evicted) this.remove(current.file, current.bytes);
    }
    try {
      rmdirSync(this.dir); // only when empty: the next start then has nothing to look at
    } catch {
      // rows left to replay
    }
  }

  // ── segments ─────────────────────────────────────────────────────────────

  private writable(seq: number): Segment {
    const current = this.current;
    if (current && current.bytes < this.segmentBytes) return current;
    if (current) this.seal(current);
    const file = path.join(this.dir, `${this.prefix}-${this.counter++}.jsonl`);
    // Again each time: another process sharing the folder removes it when it closes with nothing left.
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(file, "a", 0o600);
    this.current = {
      file,
      fd,
      bytes: 0,
      startSeq: seq,
      endSeq: seq,
      openedAt: Date.now(),
      evicted: false,
      dirty: false,
      syncing: false,
      closeAfterSync: false,
    };
    return this.current;
  }

  /** Stops writing to the segment: synced, then closed, in the background. */
  private seal(segment: Segment): void {
    if (this.current === segment) this.current = null;
    if (segment.endSeq === segment.startSeq) {
      closeQuietly(segment.fd);
      this.remove(segment.file, segment.bytes);
      return;
    }
    this.sealed.push(segment);
    this.syncSegment(segment, true);
  }

  /** One fdatasync at a time per segment; the fd is closed only after it (a reused fd number is never synced). */
  private syncSegment(segment: Segment, thenClose: boolean): void {
    if (segment.syncing) {
      segment.closeAfterSync ||= thenClose;
      return;
    }
    if (!segment.dirty && thenClose) {
      closeQuietly(segment.fd);
      return;
    }
    segment.syncing = true;
    segment.dirty = false;
    segment.closeAfterSync = thenClose;
    fdatasync(segment.fd, () => {
      segment.syncing = false;
      if (segment.closeAfterSync) closeQuietly(segment.fd);
    });
  }

  private remove(file: string, bytes: number): void {
    this.totalBytes -= bytes;
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }

  /** Takes over the segments of processes that are gone (renamed to ours: two starting processes never share one). */
  private claimOrphans(): void {
    for (const name of readdirSync(this.dir).sort(bySegmentNumber)) {
      const match = SEGMENT.exec(name);
      if (!match) continue;
      const pid = Number(match[1]);
      const owner = `${match[1]}-${match[2]}`;
      if (live.has(owner) || (pid !== process.pid && processAlive(pid))) continue;
      const file = path.join(this.dir, `${this.prefix}-${this.counter++}.jsonl`);
      try {
        renameSync(path.join(this.dir, name), file);
      } catch {
        continue; // another process claimed it first
      }
      const bytes = statSync(file).size;
      this.totalBytes += bytes;
      this.backlog.push({ file, bytes });
    }
    if (this.backlog.length > 0)
      this.log(`replaying ${this.backlog.length} spool file(s) left by a process that stopped (${this.report()})`);
  }

  private refuse(why: "full" | "failing", bytes: number): false {
    this.memoryOnly++;
    this.unreported++;
    const now = Date.now();
    if (why === "full" && !this.full) {
      this.full = true;
      this.lastReport = 0;
    }
    if (now - this.lastReport >= this.reportEveryMs) {
      this.lastReport = now;
      this.log(
        why === "full"
          ? `SPOOL FULL: ${this.report()} of ${mib(this.maxBytes)} in ${this.dir}; ${this.unreported} row(s) ` +
              `(${bytes} bytes the last) kept in memory only, lost if the process dies before Postgres has them`
          : `spool unavailable: ${this.unreported} row(s) kept in memory only`,
      );
      this.unreported = 0;
    }
    return false;
  }

  private report(): string {
    return `${mib(this.totalBytes)} spooled`;
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function closeQuietly(fd: number): void {
  close(fd, () => {});
}

/** Oldest first within a process's files (numeric, not lexical: 10 after 9). */
function bySegmentNumber(a: string, b: string): number {
  const na = Number(SEGMENT.exec(a)?.[3] ?? 0);
  const nb = Number(SEGMENT.exec(b)?.[3] ?? 0);
  return a.split("-").slice(0, 2).join("-").localeCompare(b.split("-").slice(0, 2).join("-")) || na - nb;
}
