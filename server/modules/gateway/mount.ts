import { db } from "@/server/db";
import { processRouteSource } from "@/server/modules/routes/db-source";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { gatewaySink } from "./sink";

const globalForGateway = globalThis as unknown as {
  switchyardGateway?: GatewayHandler;
  switchyardKeyUsage?: KeyUsageRecorder;
};

/**
 * The process's gateway handler over the process's database and log sink,
 * created on first use (the database URL is known only at run time). Every
 * mount in one process (the Next route, a custom server routing `/v1`)
 * should use this one, so they share the key cache. Body logging follows each
 * project's setting (the handler's default, cached per process).
 */
export function processGatewayHandler(): GatewayHandler {
  if (!globalForGateway.switchyardGateway)
    globalForGateway.switchyardGateway = createGatewayHandler({
      db: db(),
      sink: gatewaySink(),
      keyUsage: processKeyUsage(),
      routes: processRouteSource(db()),
    });
  return globalForGateway.switchyardGateway;
}

/** The process's key-usage recorder: close it on shutdown so pending tokens and spend reach the counters. */
export function processKeyUsage(): KeyUsageRecorder {
  globalForGateway.switchyardKeyUsage ??= new KeyUsageRecorder(db());
  return globalForGateway.switchyardKeyUsage;
}
