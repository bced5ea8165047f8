/**
 * The gateway's view of live rollouts: every running or paused rollout of every project, loaded with one query
 * and kept in-process, so a request on a label costs a map lookup (and nothing when no rollout is live). Rollout
 * writes `pg_notify(ROLLOUTS_CHANNEL)` in their transaction; each process LISTENs and reloads, so a rollback
 * sends traffic back to the stable version at once on every replica. Without the listener (or while it
 * reconnects) entries live SHORT_TTL_MS.
 */
import { NotifyListener } from "@/server/database/notify-listener";
import type { Db } from "@/server/db";
import { env } from "@/server/env";
import { claimRefresh, refreshAtFor, sharedLoad } from "@/server/refresh-ahead";
import { ROLLOUTS_CHANNEL } from "./store";

export interface LiveRollout {
  id: string;
  salt: string;
  candidatePercent: number;
  stableVersionId: string;
  candidateVersionId: string;
  candidateVersion: number;
}

const SHORT_TTL_MS = 2_000;
/** With notifications, expiry only guards against one missed while reconnecting. */
const LISTENING_TTL_MS = 30_000;
const STALE_IF_ERROR_MS = 5 * 60_000;

interface Snapshot {
  byKey: Map<string, LiveRollout>;
  expires: number;
  refreshAt: number;
  loadedAt: number;
}

const keyOf = (projectId: string, subjectType: "prompt" | "model", name: string, label: string) =>
  `${projectId}\u0000${subjectType}\u0000${name}\u0000${label}`;

export interface LiveRolloutsOptions {
  /** LISTEN for changes on this database (null: expiry only). */
  connectionString?: string | null;
  ttlMs?: number;
}

export class LiveRollouts {
  private snapshot: Snapshot | null = null;
  private readonly loading = new Map<string, Promise<Snapshot>>();
  private generation = 0;
  private readonly listener: NotifyListener | null;
  loads = 0;

  constructor(
    private readonly db: Db,
    private readonly options: LiveRolloutsOptions = {},
  ) {
    this.listener = options.connectionString
      ? new NotifyListener(
          options.connectionString,
          ROLLOUTS_CHANNEL,
          () => this.invalidate(),
          () => this.invalidate(),
        )
      : null;
  }

  /** The live rollout on a prompt's label or a model's alias, or null. */
  async find(
    projectId: string,
    subjectType: "prompt" | "model",
    name: string,
    label: string,
  ): Promise<LiveRollout | null> {
    if (this.listener && !this.listener.connected) void this.listener.start().catch(() => {});
    let snapshot = this.snapshot;
    const now = Date.now();
    if (snapshot && snapshot.expires >= now && claimRefresh(snapshot, now)) this.load().catch(() => {});
    if (!snapshot || snapshot.expires < now) {
      const stale = snapshot;
      try {
        snapshot = await this.load();
      } catch {
        // The database did not answer: keep the arms as it said last, for a while; after that (or with nothing
        // loaded yet) every request gets the label's own version — the stable arm, the safe side of a canary.
        if (!stale || stale.loadedAt + STALE_IF_ERROR_MS < Date.now()) return null;
        stale.expires = Date.now() + 1_000;
        snapshot = stale;
      }
    }
    if (snapshot.byKey.size === 0) return null;
    return snapshot.byKey.get(keyOf(projectId, subjectType, name, label)) ?? null;
  }

  private load(): Promise<Snapshot> {
    return sharedLoad(this.loading, "all", async () => {
      const token = this.generation;
      this.loads++;
      const rows = await this.db.$queryRaw<
        (LiveRollout & { project_id: string; subject_type: "prompt" | "model"; name: string; label: string })[]
      >`
        SELECT r.id, r.salt, r.candidate_percent AS "candidatePercent", r.stable_version_id::text AS "stableVersionId",
          r.candidate_version_id::text AS "candidateVersionId", r.project_id::text AS project_id, r.subject_type,
          r.label, coalesce(p.name, m.name) AS name, coalesce(pv.version, mv.version) AS "candidateVersion"
        FROM rollouts r
        LEFT JOIN prompts p ON r.subject_type = 'prompt' AND p.id = r.subject_id
        LEFT JOIN prompt_versions pv ON r.subject_type = 'prompt' AND pv.id = r.candidate_version_id
        LEFT JOIN models m ON r.subject_type = 'model' AND m.id = r.subject_id
        LEFT JOIN model_versions mv ON r.subject_type = 'model' AND mv.id = r.candidate_version_id
        WHERE r.status IN ('running', 'paused') AND r.candidate_percent > 0`;
      const byKey = new Map<string, LiveRollout>();
      for (const row of rows) {
        if (row.name === null || row.candidateVersion === null) continue;
        byKey.set(keyOf(row.project_id, row.subject_type, row.name, row.label), {
          id: row.id,
          salt: row.salt,
          candidatePercent: row.candidatePercent,
          stableVersionId: row.stableVersionId,
          candidateVersionId: row.candidateVersionId,
          candidateVersion: row.candidateVersion,
        });
      }
      const ttl = this.options.ttlMs ?? (this.listener?.connected ? LISTENING_TTL_MS : SHORT_TTL_MS);
      const now = Date.now();
      const snapshot = { byKey, expires: now + ttl, refreshAt: refreshAtFor(now, ttl), loadedAt: now };
      if (token === this.generation && ttl > 0) this.snapshot = snapshot;
      return snapshot;
    });
  }

  /** The next lookup reloads (and serves the old snapshot only if the database fails). */
  invalidate() {
    this.generation++;
    if (this.snapshot) this.snapshot.expires = 0;
  }

  /** Starts listening (once); resolves when LISTEN is up. */
  listen(): Promise<void> {
    return this.listener?.start() ?? Promise.resolve();
  }

  async close() {
    await this.listener?.close();
    this.invalidate();
  }
}

const globalForRollouts = globalThis as unknown as { switchyardLiveRollouts?: LiveRollouts; switchyardDb?: Db };
const byDb = new WeakMap<Db, LiveRollouts>();

/**
 * The live rollouts for a database client: the process's client (server/db.ts) gets the process's instance,
 * listening on DATABASE_URL; any other client one that only expires (in SHORT_TTL_MS) — tests that need changes
 * at once pass their own, listening, instance.
 */
export function liveRolloutsFor(db: Db): LiveRollouts {
  if (db === globalForRollouts.switchyardDb) {
    globalForRollouts.switchyardLiveRollouts ??= new LiveRollouts(db, { connectionString: env().DATABASE_URL ?? null });
    return globalForRollouts.switchyardLiveRollouts;
  }
  let live = byDb.get(db);
  if (!live) {
    live = new LiveRollouts(db);
    byDb.set(db, live);
  }
  return live;
}
