import type { z } from "zod";
import type { ProjectDeps } from "@/server/modules/deps";
import { routeTargets } from "@/server/modules/routes/health";
import type { deploymentHealthOut } from "@/server/modules/routes/schemas";
import { type DeploymentHealth, deploymentKey } from "./health";

/**
 * A stored route's deployments and fallbacks as this process's gateway sees
 * them (in flight, latency EWMA, failures, cooldown). Per process: with
 * several replicas each has its own view, as each routes its own traffic.
 */
export async function routeHealth(
  deps: ProjectDeps & { health: DeploymentHealth },
  input: { id: string },
): Promise<z.infer<typeof deploymentHealthOut>[]> {
  const entries = await routeTargets(deps, input);
  const now = Date.now();
  return entries.map(({ model, role }) => {
    const stats = deps.health.get(deploymentKey(deps.caller.projectId, model));
    return {
      model,
      role,
      outstanding: stats.outstanding,
      ewmaTtftMs: stats.ewmaTtftMs,
      samples: stats.samples,
      consecutiveFailures: stats.consecutiveFailures,
      totalFailures: stats.totalFailures,
      totalSuccesses: stats.totalSuccesses,
      coolingDown: stats.cooldownUntil !== null && stats.cooldownUntil > now,
      cooldownUntil: stats.cooldownUntil === null ? null : new Date(stats.cooldownUntil),
      lastError: stats.lastError,
      lastErrorAt: stats.lastErrorAt === null ? null : new Date(stats.lastErrorAt),
    };
  });
}
