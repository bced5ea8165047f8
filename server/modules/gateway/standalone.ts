/**
 * The gateway on its own port, served by `node:http` directly (no framework:
 * the handler is already Fetch-shaped). Same handler as the Next mount.
 *
 *   const gateway = await startStandaloneGateway({ port: 8080, host: "0.0.0.0" });
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { db as processDb } from "@/server/db";
import { DbRouteSource, processRouteSource } from "@/server/modules/routes/db-source";
import { createGatewayHandler, type GatewayDeps } from "./handler";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { toNodeListener } from "./node-adapter";
import { gatewaySink } from "./sink";

export interface StandaloneGateway {
  server: Server;
  /** `http://host:port` as bound (port 0 resolves to the real one). */
  origin: string;
  close(): Promise<void>;
}

export async function startStandaloneGateway(
  options: { port: number; host?: string } & Partial<GatewayDeps>,
): Promise<StandaloneGateway> {
  const { port, host = "0.0.0.0", ...overrides } = options;
  const db = overrides.db ?? processDb();
  // Body logging follows each project's setting (the handler's default); usage is flushed on close.
  const keyUsage = overrides.keyUsage ?? new KeyUsageRecorder(db);
  const handler = createGatewayHandler({
    ...overrides,
    db,
    sink: overrides.sink ?? gatewaySink(),
    keyUsage,
    // Stored routes: the process's (LISTEN-invalidated) on the process's database, else one expiring in seconds.
    routes: overrides.routes ?? (overrides.db ? new DbRouteSource(db) : processRouteSource(db)),
  });
  const server = createServer(toNodeListener(handler));
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
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await keyUsage.close().catch(() => {});
    },
  };
}
