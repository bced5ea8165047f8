// The modules that serve routes under /v1 beside the gateway's own (see server/modules/gateway/extensions.ts),
// and those that watch its finished requests (server/modules/gateway/observers.ts). Every process that serves
// /v1 installs them once at start: the console's server, `npm run gateway`, Next's /v1 route.
import { db } from "@/server/db";
import { batchRoutes } from "@/server/modules/batches/routes";
import { processOnlineObserver } from "@/server/modules/evals/online/observer";
import { installGatewayExtensions } from "@/server/modules/gateway/extensions";
import { installGatewayObservers } from "@/server/modules/gateway/observers";

const V1_EXTENSIONS = [batchRoutes] as const;

export function installV1Extensions(): void {
  installGatewayExtensions(V1_EXTENSIONS);
  installGatewayObservers([processOnlineObserver(db).observe]);
}
