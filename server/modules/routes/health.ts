import type { RouteConfig } from "@/lib/routes/config";
import { notFound } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";

export type RouteTargetRole = "deployment" | "standby" | "fallback" | "requested";

/**
 * What a route's active version sends traffic to: its deployments (weight 0
 * under `weighted` is a standby), then its fallbacks; a route with neither
 * serves the requested model itself. The gateway adds its live view of each.
 */
export async function routeTargets(
  deps: ProjectDeps,
  { id: routeId }: { id: string },
): Promise<{ model: string; role: RouteTargetRole }[]> {
  const route = await deps.db.gatewayRoute.findFirst({
    where: { id: routeId, projectId: deps.caller.projectId },
    include: { activeVersion: { select: { config: true } } },
  });
  if (!route) throw notFound("Route", routeId);
  const config = route.activeVersion?.config as RouteConfig | undefined;
  const entries: { model: string; role: RouteTargetRole }[] = [
    ...(config?.deployments ?? []).map((d) => ({
      model: d.model,
      role: d.weight === 0 && config?.strategy === "weighted" ? ("standby" as const) : ("deployment" as const),
    })),
    ...(config?.fallbacks ?? []).map((model) => ({ model, role: "fallback" as const })),
  ];
  if (entries.length === 0 && route.name !== "*") entries.push({ model: route.name, role: "requested" });
  return entries;
}
