/**
 * The order in which a route's deployments are tried: the strategy picks the
 * first, then picks again among the rest for failover. Deployments cooling
 * down are left out unless every deployment is cooling down (then all are
 * tried: a possibly-broken answer beats a certain error). Pure: health and
 * randomness come in, so tests are deterministic.
 */
import type { RoutingStrategy } from "@/lib/routes/config";
import type { DeploymentHealth } from "./health";

export interface Candidate {
  /** The registry reference as written in the route (`name@alias`). */
  ref: string;
  weight: number;
  /** Health key (project + reference). */
  key: string;
}

/** Share of lowest-latency picks that go to a random deployment, so a slow one that recovered is noticed. */
export const EXPLORATION = 0.1;

export function orderDeployments(
  candidates: Candidate[],
  strategy: RoutingStrategy,
  health: DeploymentHealth,
  random: () => number = Math.random,
): Candidate[] {
  const healthy = candidates.filter((c) => !health.isCoolingDown(c.key));
  const pool = healthy.length > 0 ? healthy : [...candidates];
  const ordered: Candidate[] = [];
  while (pool.length > 0) {
    const index = pickIndex(pool, strategy, health, random);
    ordered.push(pool[index]);
    pool.splice(index, 1);
  }
  return ordered;
}

function pickIndex(pool: Candidate[], strategy: RoutingStrategy, health: DeploymentHealth, random: () => number) {
  if (pool.length === 1) return 0;
  if (strategy === "least-outstanding") {
    const least = Math.min(...pool.map((c) => health.outstanding(c.key)));
    // Ties (the common case at low load) split by weight.
    const tied = pool.map((c, i) => ({ c, i })).filter(({ c }) => health.outstanding(c.key) === least);
    return tied[
      weightedIndex(
        tied.map(({ c }) => c.weight),
        random,
      )
    ].i;
  }
  if (strategy === "lowest-latency") {
    // Never measured: measure it first. Then mostly the fastest, sometimes a random one.
    const unmeasured = pool.findIndex((c) => health.ewma(c.key) === null);
    if (unmeasured >= 0) return unmeasured;
    if (random() < EXPLORATION) return Math.min(pool.length - 1, Math.floor(random() * pool.length));
    let best = 0;
    for (let i = 1; i < pool.length; i++) if (health.ewma(pool[i].key)! < health.ewma(pool[best].key)!) best = i;
    return best;
  }
  return weightedIndex(
    pool.map((c) => c.weight),
    random,
  );
}

/** Index drawn with probability weight/sum; all-zero weights draw uniformly. */
export function weightedIndex(weights: number[], random: () => number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total <= 0) return Math.min(weights.length - 1, Math.floor(random() * weights.length));
  let point = random() * total;
  for (let i = 0; i < weights.length; i++) {
    point -= weights[i];
    if (point < 0) return i;
  }
  // random() < 1, but floating point: the last positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return weights.length - 1;
}

/** Exponential backoff with jitter: base·2^retry capped at max, then a uniform draw in [half, full]. */
export function backoffMs(
  policy: { backoffMs: number; maxBackoffMs: number },
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
