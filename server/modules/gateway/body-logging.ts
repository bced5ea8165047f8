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
 * (10 s by default) plus one request. A database error answers "none" (the
 * safe side: no bodies) and is not cached.
 */
import { type Following, NotifyListener } from "@/server/database/notify-listener";
import type { Db } from "@/server/db";
import { PROJECT_SETTINGS_CHANNEL } from "@/server/modules/projects/events";
import { sharedLoad } from "@/server/refresh-ahead";
import type { BodyLogging } from "./request-scope";

export interface BodyLoggingCacheOptions {
  ttlMs?: number;
  /** Milliseconds clock, for tests. */
  clock?: () => number;
}

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
        console.error("[gateway] reading the project's body-logging setting failed; logging no bodies", error);
        return "none" as const;
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
 * LISTENs for settings changes on `connectionString` and drops the changed project from `cache` (everything when
 * the connection was lost, since a change may have been missed).
 */
export function followSettingsChanges(cache: ProjectBodyLogging, connectionString: string): Following {
  return new NotifyListener(
    connectionString,
    PROJECT_SETTINGS_CHANNEL,
    (projectId) => cache.forget(projectId),
    () => cache.clear(),
  ).follow();
}
