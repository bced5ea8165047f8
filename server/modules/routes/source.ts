/**
 * Where the gateway finds a request's route. The database-backed source
 * (stored, versioned route configs) and the static one used by tests both
 * implement this; the gateway only sees `RouteSource`.
 */
import { type RouteConfig, routeConfig } from "@/lib/routes/config";

export interface ResolvedRoute {
  id: string;
  /** The `model` a client sends to use it; `*` is the project's default route. */
  name: string;
  version: number;
  config: RouteConfig;
}

export interface RouteSource {
  /** The route for this `model` in the project: its own, else the project's `*` route, else null. */
  find(projectId: string, model: string): Promise<ResolvedRoute | null>;
}

export const DEFAULT_ROUTE = "*";

/** Routes held in memory (tests, benchmarks): the same for every project. */
export function staticRoutes(routes: Record<string, unknown>): RouteSource {
  const parsed = new Map<string, ResolvedRoute>();
  for (const [name, raw] of Object.entries(routes))
    parsed.set(name, { id: `static:${name}`, name, version: 1, config: routeConfig.parse(raw) });
  return {
    find: async (_projectId, model) => parsed.get(model) ?? parsed.get(DEFAULT_ROUTE) ?? null,
  };
}
