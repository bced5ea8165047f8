/**
 * Fair shares of an upstream origin's connections. Every project reaches an origin (api.openai.com, one vLLM
 * server) through the same pool; without shares, one project holding every connection with slow streams makes
 * every other project's call wait behind it. So a project may hold at most `projectConnections` of an origin's
 * connections and one key at most `keyConnections`; a call past its share waits in its project's queue (bounded:
 * past `queuePerProject` it is refused with RATE_LIMITED), and a freed connection goes to the next project in
 * turn whose waiting call is within its shares. The pool never takes more calls than it has connections, so
 * undici's own FIFO queue, which knows nothing of projects, stays empty.
 */
import { ProviderError } from "./errors";

export interface ShareLimits {
  connections: number;
  projectConnections: number;
  keyConnections: number;
  queuePerProject: number;
}

/** Who a call is for: its project and its key (or playground user); null fields share one anonymous share. */
export interface ShareHolder {
  projectId: string | null;
  keyId: string | null;
}

/** Begins the admitted call; `release` must be called once when its connection is free again. */
export type StartCall = (release: () => void) => void;

interface Waiter {
  project: string;
  key: string;
  start: StartCall;
}

/** Kept once made (one per upstream origin ever called, a handful): an idle origin's maps are empty. */
class OriginLoad {
  total = 0;
  readonly byProject = new Map<string, number>();
  readonly byKey = new Map<string, number>();
  /** Waiting calls per project; Map order is the turn order (a served project moves to the back). */
  readonly queues = new Map<string, Waiter[]>();
}

/** How long a refused caller should wait before trying again (a connection frees when a call ends). */
const RETRY_AFTER_MS = 1_000;

/** Entries that reach 0 stay (one per project or key that used the origin): a Map churned by set+delete is slower. */
const bump = (counts: Map<string, number>, name: string, by: number) => {
  counts.set(name, (counts.get(name) ?? 0) + by);
};

export class ConnectionShares {
  private readonly origins = new Map<string, OriginLoad>();

  constructor(private readonly limits: () => ShareLimits) {}

  /**
   * Starts the call now when `holder` is within its shares of `origin`, else queues it. Returns how to withdraw
   * a queued call (null when it started at once); throws RATE_LIMITED, naming the limit, when the queue is full.
   * `host` is what the message calls the origin.
   */
  admit(origin: string, host: string, holder: ShareHolder | undefined, start: StartCall): (() => void) | null {
    const project = holder?.projectId ?? "";
    const key = `${project}\u0000${holder?.keyId ?? ""}`;
    let load = this.origins.get(origin);
    if (!load) {
      load = new OriginLoad();
      this.origins.set(origin, load);
    }
    const limits = this.limits();
    if (this.fits(load, limits, project, key)) {
      this.begin(origin, load, project, key, start);
      return null;
    }
    const queue = load.queues.get(project) ?? [];
    if (queue.length >= limits.queuePerProject) throw this.refusal(load, limits, project, key, host);
    const waiter: Waiter = { project, key, start };
    queue.push(waiter);
    load.queues.set(project, queue);
    return () => this.withdraw(origin, waiter);
  }

  /** Calls holding a connection to `origin` (all, or one project's), and calls waiting for one. */
  stats(origin: string, projectId?: string | null) {
    const load = this.origins.get(origin);
    if (!load) return { active: 0, waiting: 0 };
    if (projectId === undefined)
      return { active: load.total, waiting: [...load.queues.values()].reduce((n, q) => n + q.length, 0) };
    const project = projectId ?? "";
    return { active: load.byProject.get(project) ?? 0, waiting: load.queues.get(project)?.length ?? 0 };
  }

  private fits(load: OriginLoad, limits: ShareLimits, project: string, key: string) {
    return (
      load.total < limits.connections &&
      (load.byProject.get(project) ?? 0) < limits.projectConnections &&
      (load.byKey.get(key) ?? 0) < limits.keyConnections
    );
  }

  private begin(origin: string, load: OriginLoad, project: string, key: string, start: StartCall) {
    load.total++;
    bump(load.byProject, project, 1);
    bump(load.byKey, key, 1);
    let released = false;
    start(() => {
      if (released) return;
      released = true;
      load.total--;
      bump(load.byProject, project, -1);
      bump(load.byKey, key, -1);
      this.drain(origin, load);
    });
  }

  /** Hands free connections to waiting calls, one project at a time in turn. */
  private drain(origin: string, load: OriginLoad) {
    if (load.queues.size === 0) return;
    const limits = this.limits();
    let served = true;
    while (served && load.total < limits.connections) {
      served = false;
      for (const [project, queue] of load.queues) {
        const index = queue.findIndex((w) => this.fits(load, limits, project, w.key));
        if (index < 0) continue;
        const [waiter] = queue.splice(index, 1);
        load.queues.delete(project);
        if (queue.length) load.queues.set(project, queue); // to the back of the turn order
        // Started outside the releasing call's stack: it may be inside undici's callbacks.
        this.begin(origin, load, project, waiter.key, (release) => queueMicrotask(() => waiter.start(release)));
        served = true;
        break;
      }
    }
  }

  private withdraw(origin: string, waiter: Waiter) {
    const load = this.origins.get(origin);
    const queue = load?.queues.get(waiter.project);
    if (!load || !queue) return;
    const index = queue.indexOf(waiter);
    if (index < 0) return;
    queue.splice(index, 1);
    if (!queue.length) load.queues.delete(waiter.project);
  }

  private refusal(load: OriginLoad, limits: ShareLimits, project: string, key: string, host: string) {
    const [what, limit, variable] =
      (load.byProject.get(project) ?? 0) >= limits.projectConnections
        ? ["this project's share", limits.projectConnections, "SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS"]
        : (load.byKey.get(key) ?? 0) >= limits.keyConnections
          ? ["this API key's share", limits.keyConnections, "SWITCHYARD_UPSTREAM_KEY_CONNECTIONS"]
          : ["every connection", limits.connections, "SWITCHYARD_UPSTREAM_CONNECTIONS"];
    return new ProviderError(
      "RATE_LIMITED",
      `${what} of connections to upstream ${host} is in use (${limit}, ${variable}) and ${limits.queuePerProject} ` +
        `calls of this project already wait for one (SWITCHYARD_UPSTREAM_QUEUE); retry after ${RETRY_AFTER_MS / 1000} s`,
      { retryAfterMs: RETRY_AFTER_MS },
    );
  }
}
