/**
 * The gateway's privacy hook backed by the project's setting
 * (`projects.request_body_logging`), cached in-process so the steady state
 * runs no query per request: a fresh entry answers at once; a stale one
 * answers with the old value while one refresh runs in the background; only
 * a project never seen waits for the database.
 *
 * A change applies to the next request on every replica that follows the
 * settings channel (`followSettingsChanges`: the settings service notifies in
 * its transaction); otherwise, or while the listener is down, within `ttlMs`
 * (10 s by default) plus one request. A database error answers the last
 * value read (stale-if-error), or "none" (the safe side: no bodies) for a
 * project not read yet, and is retried after a second, not on every request:
 * through an outage requests neither wait for a failing query nor log one
 * each (one line per interval, `RepeatedLog`).
 */
import { type Following, NotifyListener } from "@/server/database/notify-listener";
import type { Db } from "@/server/db";
import { PROJECT_SETTINGS_CHANNEL } from "@/server/modules/projects/events";
import { sharedLoad } from "@/server/refresh-ahead";
import { describeError, RepeatedLog } from "@/server/repeated-log";
import type { BodyLogging } from "./request-scope";

export interface BodyLoggingCacheOptions {
  ttlMs?: number;
  /** Milliseconds clock, for tests. */
  clock?: () => number;
}

/** After a failed read, how long the value in hand is used before the database is asked again. */
const RETRY_AFTER_ERROR_MS = 1_000;

interface Entry {
  value: BodyLogging;
  expires: number;
  refreshing: boolean;
}

export class ProjectBodyLogging {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<BodyLogging>>();
  /** Bumped by every forget/clear, so a load that raced a change does not cache the old value. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly failures = new RepeatedLog();

  constructor(
    private readonly db: Db,
    options: BodyLoggingCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The project's setting: a value when cached, else a promise of it. */
  get(projectId: string): BodyLogging | Promise<BodyLogging> {
    const entry = this.entries.get(projectId);
    if (entry) {
      if (entry.expires <= this.clock() && !entry.refreshing) {
        entry.refreshing = true;
        void this.load(projectId).finally(() => {
          entry.refreshing = false;
        });
      }
      return entry.value;
    }
    return this.load(projectId);
  }

  /** Forgets every entry (tests; a lost settings listener). */
  clear() {
    this.generation++;
    this.entries.clear();
  }

  /**
   * Marks every entry stale (the settings listener lost its connection and may have missed a change): each is
   * read again on its next use, which answers with the value in hand meanwhile.
   */
  expireAll() {
    this.generation++;
    for (const entry of this.entries.values()) entry.expires = 0;
  }

  /** Forgets one project's entry: its setting changed. A load in flight meanwhile is not cached. */
  forget(projectId: string) {
    this.generation++;
    this.entries.delete(projectId);
  }

  private load(projectId: string): Promise<BodyLogging> {
    return sharedLoad(this.inflight, projectId, () => this.read(projectId));
  }

  private read(projectId: string): Promise<BodyLogging> {
    const token = this.generation;
    return this.db.project.findUnique({ where: { id: projectId }, select: { requestBodyLogging: true } }).then(
      (row) => {
        const value: BodyLogging = row?.requestBodyLogging ?? "none";
        if (token === this.generation)
          this.entries.set(projectId, { value, expires: this.clock() + this.ttlMs, refreshing: false });
        if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value as string);
        return value;
      },
      (error) => {
        const entry = this.entries.get(projectId);
        const value: BodyLogging = entry?.value ?? "none";
        this.failures.report(
          `[gateway] reading projects' body-logging setting failed (${describeError(error)}); ` +
            "using the last value read (none for a project not read yet)",
        );
        if (token === this.generation || entry)
          this.entries.set(projectId, { value, expires: this.clock() + RETRY_AFTER_ERROR_MS, refreshing: false });
        return value;
      },
    );
  }
}

/** The `deps.bodyLogging` hook over one cache (one per handler, i.e. per process). */
export function projectBodyLogging(db: Db, options?: BodyLoggingCacheOptions) {
  const cache = new ProjectBodyLogging(db, options);
  return (projectId: string) => cache.get(projectId);
}

/**
 * LISTENs for settings changes on `connectionString` and drops the changed project from `cache` (marks
 * everything stale when the connection was lost, since a change may have been missed).
 */
export function followSettingsChanges(cache: ProjectBodyLogging, connectionString: string): Following {
  return new NotifyListener(
    connectionString,
    PROJECT_SETTINGS_CHANNEL,
    (projectId) => cache.forget(projectId),
    // Not clear(): through an outage every request would then wait for a query that fails.
    () => cache.expireAll(),
  ).follow();
}
