// Each project's enabled online rules, in memory, so the request path asks the database nothing in the steady
// state: a fresh entry answers at once (a project without rules is one map lookup), a stale one answers with what
// it has while one refresh runs, and only a project never seen waits for a read. A rule written in this process
// is seen at once (the service forgets the project); other replicas see it within the TTL
// (SWITCHYARD_ONLINE_EVAL_RULES_TTL_MS, default 5 s).
import { onlineRuleFilterSchema } from "@/lib/evals/online";
import type { Db } from "@/server/db";
import { sharedLoad } from "@/server/refresh-ahead";
import { describeError, RepeatedLog } from "@/server/repeated-log";
import type { ActiveRule } from "./sampling";

interface Entry {
  rules: readonly ActiveRule[];
  expires: number;
  refreshing: boolean;
}

const NO_RULES: readonly ActiveRule[] = [];
const RETRY_AFTER_ERROR_MS = 1_000;

function ttlMs(): number {
  const raw = Number(process.env.SWITCHYARD_ONLINE_EVAL_RULES_TTL_MS ?? "");
  return Number.isFinite(raw) && raw > 0 ? raw : 5_000;
}

export class OnlineRuleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<readonly ActiveRule[]>>();
  private generation = 0;
  private readonly failures = new RepeatedLog();

  constructor(private readonly db: () => Db) {
    everyCache.add(this);
  }

  /** The project's enabled rules: a value when cached, else a promise of it. */
  get(projectId: string): readonly ActiveRule[] | Promise<readonly ActiveRule[]> {
    const entry = this.entries.get(projectId);
    if (entry) {
      if (entry.expires <= Date.now() && !entry.refreshing) {
        entry.refreshing = true;
        void this.load(projectId).finally(() => {
          entry.refreshing = false;
        });
      }
      return entry.rules;
    }
    return this.load(projectId);
  }

  /** A rule of this project changed: the next request reads them again. */
  forget(projectId: string) {
    this.generation++;
    this.entries.delete(projectId);
  }

  private load(projectId: string) {
    return sharedLoad(this.inflight, projectId, () => this.read(projectId));
  }

  private async read(projectId: string): Promise<readonly ActiveRule[]> {
    const token = this.generation;
    let rules: readonly ActiveRule[];
    let keepFor = ttlMs();
    try {
      rules = await readRules(this.db(), projectId);
    } catch (error) {
      this.failures.report(`[online-evals] reading rules failed (${describeError(error)}); sampling paused for it`);
      rules = this.entries.get(projectId)?.rules ?? NO_RULES;
      keepFor = RETRY_AFTER_ERROR_MS;
    }
    if (token === this.generation) {
      this.entries.set(projectId, { rules, expires: Date.now() + keepFor, refreshing: false });
      if (this.entries.size > 10_000) this.entries.delete(this.entries.keys().next().value as string);
    }
    return rules;
  }
}

async function readRules(db: Db, projectId: string): Promise<readonly ActiveRule[]> {
  const rows = await db.onlineEvalRule.findMany({
    where: { projectId, enabled: true, sampleRate: { gt: 0 } },
    select: { id: true, sampleRate: true, filter: true },
  });
  if (rows.length === 0) return NO_RULES;
  const rules: ActiveRule[] = [];
  for (const row of rows) {
    const filter = onlineRuleFilterSchema.safeParse(row.filter);
    if (!filter.success) continue;
    let promptVersionIds: Set<string> | null = null;
    if (filter.data.promptId) {
      const versions = await db.promptVersion.findMany({
        where: { promptId: filter.data.promptId },
        select: { id: true },
      });
      promptVersionIds = new Set(versions.map((v) => v.id));
    }
    rules.push({ id: row.id, sampleRate: row.sampleRate, filter: filter.data, promptVersionIds });
  }
  return rules;
}

const globalForRules = globalThis as unknown as {
  switchyardOnlineRuleCache?: OnlineRuleCache;
  switchyardOnlineRuleCaches?: Set<OnlineRuleCache>;
};
// Every cache of the process (one in production; tests make their own), so a write reaches each.
globalForRules.switchyardOnlineRuleCaches ??= new Set();
const everyCache = globalForRules.switchyardOnlineRuleCaches;

/** The process's cache (kept on globalThis: Next's route and the custom server share one). */
export function onlineRuleCache(db: () => Db): OnlineRuleCache {
  globalForRules.switchyardOnlineRuleCache ??= new OnlineRuleCache(db);
  return globalForRules.switchyardOnlineRuleCache;
}

/** Forgets a project's rules in this process's caches (the rules service, after a write). */
export function forgetOnlineRules(projectId: string) {
  for (const cache of everyCache) cache.forget(projectId);
}
