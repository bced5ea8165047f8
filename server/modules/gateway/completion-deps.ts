import type { RouteSource } from "@/server/modules/routes/source";
import type { ResponseCache } from "./response-cache";
import type { DeploymentHealth } from "./routing/health";
import type { ResolveDeps } from "./target";

/** What serving a completion needs; its own file so the steps (prepare, routing) can name it without a cycle. */
export interface CompletionDeps extends ResolveDeps {
  maxBodyBytes: number;
  responseCache?: ResponseCache;
  routes?: RouteSource;
  /** Per-deployment load, latency and cooldowns for routing; default the process's. */
  routeHealth?: DeploymentHealth;
}
