import type { PgBoss } from "pg-boss";
import type { JobKind } from "./kinds";

const ready = new WeakMap<PgBoss, Map<string, Promise<void>>>();

/** Creates the kind's pg-boss queue once per engine (another process may create it at the same moment). */
export function ensureQueue(boss: PgBoss, kind: JobKind<never> | JobKind<unknown>): Promise<void> {
  const queues = ready.get(boss) ?? new Map<string, Promise<void>>();
  ready.set(boss, queues);
  let pending = queues.get(kind.kind);
  if (!pending) {
    pending = (async () => {
      const existing = await boss.getQueue(kind.kind);
      // Queues made before workers were woken by NOTIFY get it turned on (it only adds a NOTIFY per job sent).
      if (existing) {
        if (!existing.notify) await boss.updateQueue(kind.kind, { notify: true });
        return;
      }
      await boss.createQueue(kind.kind, { heartbeatSeconds: HEARTBEAT_SECONDS, notify: true }).catch(async (error) => {
        if (!(await boss.getQueue(kind.kind))) throw error;
      });
    })();
    pending.catch(() => queues.delete(kind.kind));
    queues.set(kind.kind, pending);
  }
  return pending;
}

/**
 * A running job whose worker stops sending heartbeats for this long (killed, frozen, cut off) is failed and
 * retried by another worker. pg-boss's minimum is 10 s; workers refresh it every 5 s.
 */
export const HEARTBEAT_SECONDS = Number(process.env.SWITCHYARD_JOBS_HEARTBEAT_S ?? 10);

const running = new Map<string, JobKind<never>>();

/** Kinds this process runs workers for (a manual retry of one needs its retry settings). */
export function registerKinds(kinds: readonly JobKind<never>[]): void {
  for (const kind of kinds) running.set(kind.kind, kind);
}

export function registeredKind(name: string): JobKind<never> | undefined {
  return running.get(name);
}
