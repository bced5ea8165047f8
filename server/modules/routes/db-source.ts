/**
 * The gateway's `RouteSource` over the database: each project's enabled routes
 * (their active versions) are loaded with one query and kept in-process, so a
 * request costs a map lookup — and a project with no routes costs nothing
 * more. Writes `pg_notify` on ROUTES_CHANNEL in their transaction; every
 * process LISTENs and drops that project's entry, so replicas see a save or a
 * rollback at once. Until the listener is connected (or without a connection
 * string) entries live only SHORT_TTL_MS.
 */

import { routeConfig } from "@/lib/routes/config";
import { NotifyListener } from "@/server/database/notify-listener";
import type { Db } from "@/server/db";
import { env } from "@/server/env";
import { DomainError } from "@/server/errors";
import { DEFAULT_ROUTE, type ResolvedRoute, type RouteSource } from "@/server/modules/routes/source";
import { claimRefresh, refreshAtFor, sharedLoad } from "@/server/refresh-ahead";

export const ROUTES_CHANNEL = "switchyard_gateway_routes";

const SHORT_TTL_MS = 5_000;
/** With notifications, expiry only guards against one missed while reconnecting. */
const LISTENING_TTL_MS = 60_000;

/** While the database does not answer, routes loaded within this long keep serving (as resolved models do). */
const STALE_IF_ERROR_MS = 5 * 60_000;
/** How often a stale entry asks the database again during an outage. */
const RETRY_MS = 1_000;

interface Entry {
  routes: Map<string, ResolvedRoute>;
  /** Active versions that no longer validate (e.g. a guardrail pattern RE2 cannot run): refused, not skipped. */
  broken: Map<string, DomainError>;
  expires: number;
  loadedAt: number;
  /** When a background reload is due (refresh ahead). */
  refreshAt: number;
}

export interface DbRouteSourceOptions {
  /** LISTEN for invalidations on this database (null: expiry only). */
  connectionString?: string | null;
  /** Override both TTLs (0 = read the database on every request; tests). */
  ttlMs?: number;
}

export class DbRouteSource implements RouteSource {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  /** Bumped on every invalidation, so a load that raced a change is not cached. */
  private generation = 0;
  private readonly listener: NotifyListener | null;
  loads = 0;

  constructor(
    private readonly db: Db,
    private readonly options: DbRouteSourceOptions = {},
  ) {
    const connectionString = options.connectionString;
    this.listener = connectionString
      ? new NotifyListener(
          connectionString,
          ROUTES_CHANNEL,
          (payload) => {
            try {
              this.invalidate(JSON.parse(payload || "{}").projectId);
            } catch {
              this.invalidate();
            }
          },
          () => this.invalidate(),
        )
      : null;
  }

  async find(projectId: string, model: string): Promise<ResolvedRoute | null> {
    if (this.listener && !this.listener.connected) void this.listen().catch(() => {});
    let entry = this.entries.get(projectId);
    const now = Date.now();
    // Refresh ahead (server/refresh-ahead.ts): nobody waits for a reload.
    if (entry && entry.expires >= now && claimRefresh(entry, now)) this.load(projectId).catch(() => {});
    if (!entry || entry.expires < now) {
      const stale = entry;
      try {
        entry = await this.load(projectId);
      } catch (error) {
        // The database did not answer: a gateway outage must not follow (stale-if-error, as for keys and models).
        if (!stale || stale.loadedAt + STALE_IF_ERROR_MS < Date.now()) throw error;
        stale.expires = Date.now() + RETRY_MS;
        entry = stale;
      }
    }
    const route = entry.routes.get(model);
    if (route) return route;
    // Fail closed: serving the model without the route's guardrails (or through the default route) would
    // silently drop what the route promised; its callers get the reason until a new version is saved.
    const broken = entry.broken.get(model) ?? entry.broken.get(DEFAULT_ROUTE);
    if (broken) throw broken;
    return entry.routes.get(DEFAULT_ROUTE) ?? null;
  }

  private load(projectId: string): Promise<Entry> {
    return sharedLoad(this.loading, projectId, async () => {
      const token = this.generation;
      this.loads++;
      const rows = await this.db.gatewayRoute.findMany({
        where: { projectId, enabled: true, activeVersionId: { not: null } },
        select: { id: true, name: true, activeVersion: { select: { version: true, config: true } } },
      });
      const routes = new Map<string, ResolvedRoute>();
      const broken = new Map<string, DomainError>();
      for (const row of rows) {
        if (!row.activeVersion) continue;
        // Validated on write; re-parsed so a config stored under an older schema still gets today's defaults.
        const parsed = routeConfig.safeParse(row.activeVersion.config);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue.path.join(".");
          const message = `Route '${row.name}' v${row.activeVersion.version} no longer validates (${where}: ${issue.message}); save a new version of it`;
          console.error(`[gateway] ${message}; its requests are refused until then`);
          broken.set(row.name, new DomainError("UNPROCESSABLE", message, [{ path: "model", message }]));
          continue;
        }
        routes.set(row.name, { id: row.id, name: row.name, version: row.activeVersion.version, config: parsed.data });
      }
      const ttl = this.options.ttlMs ?? (this.listener?.connected ? LISTENING_TTL_MS : SHORT_TTL_MS);
      const now = Date.now();
      const entry = { routes, broken, expires: now + ttl, loadedAt: now, refreshAt: refreshAtFor(now, ttl) };
      if (token === this.generation && ttl > 0) {
        if (this.entries.size > 10_000) this.entries.clear();
        this.entries.set(projectId, entry);
      }
      return entry;
    });
  }

  /** Entries become stale, not gone: the next request reloads, and serves them only if the database fails. */
  invalidate(projectId?: string) {
    this.generation++;
    if (projectId) {
      const entry = this.entries.get(projectId);
      if (entry) entry.expires = 0;
    } else for (const entry of this.entries.values()) entry.expires = 0;
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

const globalForRoutes = globalThis as unknown as { switchyardRouteSource?: DbRouteSource };

/** The process's route source over the process's database, listening on DATABASE_URL. */
export function processRouteSource(db: Db): DbRouteSource {
  globalForRoutes.switchyardRouteSource ??= new DbRouteSource(db, { connectionString: env().DATABASE_URL ?? null });
  return globalForRoutes.switchyardRouteSource;
}
