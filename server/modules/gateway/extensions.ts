// Routes other modules serve under /v1 (files, batches) through the gateway's own front door: the same API-key
// auth and scope, limits, request-log row, error shapes. The gateway never imports those modules (they import
// it: a batch's lines run through its pipeline); entry points install them (server/v1-extensions.ts).
import type { Db } from "@/server/db";
import type { GatewayHttpRequest } from "./http-request";
import type { KeyPrincipal } from "./key-cache";
import type { GatewayRequest } from "./request-scope";

export interface ExtensionContext {
  db: Db;
  principal: KeyPrincipal;
  scope: GatewayRequest;
  req: GatewayHttpRequest;
}
type ExtensionRoute = (ctx: ExtensionContext) => Promise<Response>;
/** The route for a method and path, the status that refuses it (404/405), or undefined when not its path. */
export type GatewayExtension = (method: string, path: string) => ExtensionRoute | 404 | 405 | undefined;

const globalForExtensions = globalThis as unknown as { switchyardGatewayExtensions?: readonly GatewayExtension[] };

/** Sets the process's extensions (idempotent: the list replaces the last one). */
export function installGatewayExtensions(extensions: readonly GatewayExtension[]): void {
  globalForExtensions.switchyardGatewayExtensions = extensions;
}

export function installedGatewayExtensions(): readonly GatewayExtension[] {
  return globalForExtensions.switchyardGatewayExtensions ?? [];
}
