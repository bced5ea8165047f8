import { verifyApiKey } from "@/server/auth/api-key";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { processRouteSource } from "@/server/modules/routes/db-source";
import { followSettingsChanges, ProjectBodyLogging } from "./body-logging";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { ApiKeyCache } from "./key-cache";
import { followKeyChanges } from "./key-events";
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
  if (!globalForGateway.switchyardGateway) {
    const keyCache = new ApiKeyCache((key) => verifyApiKey(db(), key));
    const bodyLogging = new ProjectBodyLogging(db());
    const url = env().DATABASE_URL;
    if (url) {
      // For the life of the process: revocations, limit and privacy-setting changes apply at once.
      followKeyChanges(keyCache, url);
      followSettingsChanges(bodyLogging, url);
    }
    globalForGateway.switchyardGateway = createGatewayHandler({
      db: db(),
      keyCache,
      bodyLogging: (projectId) => bodyLogging.get(projectId),
      sink: gatewaySink(),
      keyUsage: processKeyUsage(),
      routes: processRouteSource(db()),
    });
  }
  return globalForGateway.switchyardGateway;
}

/** The process's key-usage recorder: close it on shutdown so pending tokens and spend reach the counters. */
export function processKeyUsage(): KeyUsageRecorder {
  globalForGateway.switchyardKeyUsage ??= new KeyUsageRecorder(db());
  return globalForGateway.switchyardKeyUsage;
}
