/**
 * The gateway on its own port, served by `node:http` directly (no framework:
 * the handler is already Fetch-shaped). Same handler as the Next mount.
 *
 *   const gateway = await startStandaloneGateway({ port: 8080, host: "0.0.0.0" });
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyApiKey } from "@/server/auth/api-key";
import { db as processDb } from "@/server/db";
import { env } from "@/server/env";
import { type DrainResult, OpenRequests } from "@/server/http/graceful";
import { DbRouteSource, processRouteSource } from "@/server/modules/routes/db-source";
import { followSettingsChanges, ProjectBodyLogging } from "./body-logging";
import { createGatewayHandler, type GatewayDeps } from "./handler";
import { ApiKeyCache } from "./key-cache";
import { followKeyChanges } from "./key-events";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { toNodeListener } from "./node-adapter";
import { GatewayShuttingDown } from "./shutdown";
import { gatewaySink } from "./sink";

export interface StandaloneGateway {
  server: Server;
  /** `http://host:port` as bound (port 0 resolves to the real one). */
  origin: string;
  /**
   * Stops accepting connections, lets open requests and streams finish for up to `graceMs` (default 0), ends
   * what is still open with a 503 (a stream: a final error event), each logged, then releases the rest.
   */
  close(options?: { graceMs?: number }): Promise<DrainResult>;
}

export async function startStandaloneGateway(
  options: {
    port: number;
    host?: string;
    /**
     * LISTEN here for key revocations, limit and privacy-setting changes (default: DATABASE_URL when on the
     * process's database).
     */
    changesUrl?: string | null;
  } & Partial<GatewayDeps>,
): Promise<StandaloneGateway> {
  const { port, host = "0.0.0.0", changesUrl: _ignored, ...overrides } = options;
  const db = overrides.db ?? processDb();
  // Usage is flushed on close.
  const keyUsage = overrides.keyUsage ?? new KeyUsageRecorder(db);
  // Revocations and limit changes apply at once: LISTEN on the process's database (or the one given).
  const keyCache = overrides.keyCache ?? new ApiKeyCache((key) => verifyApiKey(db, key), overrides.keyCacheOptions);
  const changesUrl = options.changesUrl ?? (overrides.db ? null : (env().DATABASE_URL ?? null));
  const keyChanges = changesUrl ? followKeyChanges(keyCache, changesUrl) : null;
  // The privacy setting too: a change applies to the next request (not after the cache's 10 s).
  const bodyLoggingCache = overrides.bodyLogging ? null : new ProjectBodyLogging(db);
  const settingsChanges = changesUrl && bodyLoggingCache ? followSettingsChanges(bodyLoggingCache, changesUrl) : null;
  await Promise.all([keyChanges?.ready, settingsChanges?.ready]);
  const handler = createGatewayHandler({
    ...overrides,
    db,
    sink: overrides.sink ?? gatewaySink(),
    keyUsage,
    keyCache,
    ...(bodyLoggingCache ? { bodyLogging: (projectId: string) => bodyLoggingCache.get(projectId) } : {}),
    // Stored routes: the process's (LISTEN-invalidated) on the process's database, else one expiring in seconds.
    routes: overrides.routes ?? (overrides.db ? new DbRouteSource(db) : processRouteSource(db)),
  });
  const listener = toNodeListener(handler);
  const open = new OpenRequests();
  const server = createServer(open.wrap(listener));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    origin: `http://${shownHost}:${address.port}`,
    close: async ({ graceMs = 0 } = {}) => {
      const drained = await open.drain(server, {
        graceMs,
        cut: () => listener.cutOpen(new GatewayShuttingDown(graceMs)),
      });
      await keyUsage.close().catch(() => {});
      await keyChanges?.close();
      await settingsChanges?.close();
      return drained;
    },
  };
}
