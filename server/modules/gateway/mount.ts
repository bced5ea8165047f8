import { db } from "@/server/db";
import { processRouteSource } from "@/server/modules/routes/db-source";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { gatewaySink } from "./sink";

const globalForGateway = globalThis as unknown as { switchyardGateway?: GatewayHandler };

/**
 * The process's gateway handler over the process's database and log sink,
 * created on first use (the database URL is known only at run time). Every
 * mount in one process (the Next route, a custom server routing `/v1`)
 * should use this one, so they share the key cache.
 */
export function processGatewayHandler(): GatewayHandler {
  if (!globalForGateway.switchyardGateway)
    globalForGateway.switchyardGateway = createGatewayHandler({
      db: db(),
      sink: gatewaySink(),
      routes: processRouteSource(db()),
    });
  return globalForGateway.switchyardGateway;
}
