import type { z } from "zod";
import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import type { RouteConfig } from "@/server/modules/gateway/route-config/schema";
import { type DeploymentHealth, deploymentKey } from "@/server/modules/gateway/routing/health";
import type { deploymentHealthOut } from "./schemas";

/**
 * The active version's deployments and fallbacks as this process's gateway
 * sees them (in flight, latency EWMA, failures, cooldown). Per process: with
 * several replicas each has its own view, as each routes its own traffic.
 */
export async function routeHealth(
  deps: { db: Db },
  health: DeploymentHealth,
  projectId: string,
  routeId: string,
): Promise<z.infer<typeof deploymentHealthOut>[]> {
  const route = await deps.db.gatewayRoute.findFirst({
    where: { id: routeId, projectId },
    include: { activeVersion: { select: { config: true } } },
  });
  if (!route) throw notFound("Route", routeId);
  const config = route.activeVersion?.config as RouteConfig | undefined;
  const entries: { model: string; role: "deployment" | "standby" | "fallback" | "requested" }[] = [
    ...(config?.deployments ?? []).map((d) => ({
      model: d.model,
      role: d.weight === 0 && config?.strategy === "weighted" ? ("standby" as const) : ("deployment" as const),
    })),
    ...(config?.fallbacks ?? []).map((model) => ({ model, role: "fallback" as const })),
  ];
  if (entries.length === 0 && route.name !== "*") entries.push({ model: route.name, role: "requested" });
  const now = Date.now();
  return entries.map(({ model, role }) => {
    const stats = health.get(deploymentKey(projectId, model));
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
