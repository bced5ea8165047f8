// The modules that serve routes under /v1 beside the gateway's own (see server/modules/gateway/extensions.ts).
// Every process that serves /v1 installs them once at start: the console's server, `npm run gateway`, Next's
// /v1 route.
import { batchRoutes } from "@/server/modules/batches/routes";
import { installGatewayExtensions } from "@/server/modules/gateway/extensions";

const V1_EXTENSIONS = [batchRoutes] as const;

export function installV1Extensions(): void {
  installGatewayExtensions(V1_EXTENSIONS);
}
