/**
 * Log lines that would otherwise repeat once per request: while PostgreSQL is down every request can fail
 * the same way, and a stack trace each (the issue counted 9,522 in 45 s) buries what matters. The first
 * occurrence is written at once (message and code, no stack); repeats within the interval are counted and
 * summed up in the next line written.
 */

/** SWITCHYARD_ERROR_LOG_INTERVAL_S (default 30): how often a repeating error is written. */
export function errorLogIntervalMs(): number {
  const raw = process.env.SWITCHYARD_ERROR_LOG_INTERVAL_S?.trim() || "30";
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new Error(`SWITCHYARD_ERROR_LOG_INTERVAL_S must be a number of seconds >= 0, not "${raw}"`);
  return seconds * 1000;
}

/** An error's first line and code (Prisma's, pg's or Node's), without the stack. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  // Prisma puts the call site first and the reason last ("Can't reach database server at ...").
  const reason = lines.length > 1 && lines[0].startsWith("Invalid `") ? lines.at(-1) : lines[0];
  const code = (error as { code?: unknown } | null)?.code;
  return `${reason ?? "unknown error"}${typeof code === "string" ? ` (${code})` : ""}`;
}

/**
 * Errors that mean "the database cannot be reached right now" (connection refused or reset, server shutting
 * down, Prisma's P1001/P1017): expected during an outage, reported per interval, never per request.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0;
    e && depth < 4;
    depth++
  ) {
    const code = typeof e.code === "string" ? e.code : "";
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|P1001|P1002|P1017|57P01|57P02|57P03|08\d{3})$/.test(code))
      return true;
    if (
      typeof e.message === "string" &&
      /Can't reach database server|Connection terminated|DatabaseNotReachable/.test(e.message)
    )
      return true;
    e = (e.cause ?? (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError ?? null) as typeof e;
  }
  return false;
}

export class RepeatedLog {
  private lastAt = Number.NEGATIVE_INFINITY;
  private repeats = 0;

  constructor(
    private readonly intervalMs = errorLogIntervalMs(),
    private readonly write: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** Writes `line` now, or counts it if a line went out less than the interval ago. */
  report(line: string): void {
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) {
      this.repeats++;
      return;
    }
    const more = this.repeats > 0 ? ` (and ${this.repeats} more like it since the last report)` : "";
    this.lastAt = now;
    this.repeats = 0;
    this.write(`${line}${more}`);
  }
}
