/**
 * What this process knows about each deployment it routed to: requests in
 * flight, an EWMA of time to first token, consecutive failures and a cooldown.
 * Per process on purpose: it is a local view of local traffic (like a load
 * balancer's), cheap to keep, and it needs no agreement between replicas.
 */

/** Weight of the newest sample in the latency EWMA. */
const EWMA_ALPHA = 0.3;
/** Bounds memory if references churn (entries are tiny; a project has few deployments). */
const MAX_ENTRIES = 10_000;

export interface DeploymentStats {
  outstanding: number;
  /** Time to first token, exponentially weighted; null before the first success. */
  ewmaTtftMs: number | null;
  samples: number;
  consecutiveFailures: number;
  totalFailures: number;
  totalSuccesses: number;
  /** Epoch ms until which the deployment is skipped; null when not cooling down. */
  cooldownUntil: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

export const deploymentKey = (projectId: string, ref: string) => `${projectId}\u0000${ref}`;

export class DeploymentHealth {
  private readonly stats = new Map<string, DeploymentStats>();

  constructor(private readonly now: () => number = Date.now) {}

  private entry(key: string): DeploymentStats {
    let found = this.stats.get(key);
    if (!found) {
      if (this.stats.size >= MAX_ENTRIES) this.stats.clear();
      found = {
        outstanding: 0,
        ewmaTtftMs: null,
        samples: 0,
        consecutiveFailures: 0,
        totalFailures: 0,
        totalSuccesses: 0,
        cooldownUntil: null,
        lastError: null,
        lastErrorAt: null,
      };
      this.stats.set(key, found);
    }
    return found;
  }

  /** A copy of the current stats (zeroes for a deployment never used). */
  get(key: string): DeploymentStats {
    return { ...this.entry(key) };
  }

  outstanding(key: string): number {
    return this.stats.get(key)?.outstanding ?? 0;
  }

  ewma(key: string): number | null {
    return this.stats.get(key)?.ewmaTtftMs ?? null;
  }

  isCoolingDown(key: string): boolean {
    const until = this.stats.get(key)?.cooldownUntil;
    return until != null && until > this.now();
  }

  /** An attempt started; call the returned function exactly once when its generation ends. */
  begin(key: string): () => void {
    const entry = this.entry(key);
    entry.outstanding++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.outstanding = Math.max(0, entry.outstanding - 1);
    };
  }

  /** The first token arrived after `ttftMs`: the deployment is healthy again. */
  succeeded(key: string, ttftMs: number) {
    const entry = this.entry(key);
    entry.ewmaTtftMs = entry.ewmaTtftMs === null ? ttftMs : EWMA_ALPHA * ttftMs + (1 - EWMA_ALPHA) * entry.ewmaTtftMs;
    entry.samples++;
    entry.totalSuccesses++;
    entry.consecutiveFailures = 0;
    entry.cooldownUntil = null;
  }

  /** A server-side failure (5xx, timeout, unreachable); `failures` in a row start a cooldown of `seconds`. */
  failed(key: string, message: string, cooldown: { failures: number; seconds: number }) {
    const entry = this.entry(key);
    entry.consecutiveFailures++;
    entry.totalFailures++;
    entry.lastError = message;
    entry.lastErrorAt = this.now();
    if (entry.consecutiveFailures >= cooldown.failures) entry.cooldownUntil = this.now() + cooldown.seconds * 1000;
  }
}

const globalForHealth = globalThis as unknown as { switchyardDeploymentHealth?: DeploymentHealth };

/** The process's tracker: the gateway mounts route with it and the console reads it. */
export function processDeploymentHealth(): DeploymentHealth {
  globalForHealth.switchyardDeploymentHealth ??= new DeploymentHealth();
  return globalForHealth.switchyardDeploymentHealth;
}
