// Watchers of finished gateway requests (online evaluation samples live traffic here). The gateway never imports
// the modules that watch (evals import the gateway through batches: the other way would be a cycle); entry points
// install them (server/v1-extensions.ts), as they install the /v1 extensions.
import type { RequestLogEntry } from "@/server/modules/request-log/types";

/**
 * What the request carried and answered, whatever the project's body-logging setting: the parsed request body
 * as the client sent it (or as `/v1/messages` and `/v1/responses` translated it to Chat Completions) and the
 * logged answer (`{ text, finishReason, toolCalls? }` for completions). References, not copies: an observer
 * that keeps them must copy (and cap) what it needs.
 */
export interface ObservedBodies {
  request: unknown;
  response: unknown;
}

/**
 * Called synchronously once per logged request, after its row went to the log. Must be cheap (it runs on the
 * request's path) and must not throw; `bodies()` is only for an observer that wants them (it costs nothing to
 * leave it uncalled).
 */
export type GatewayObserver = (entry: RequestLogEntry, bodies: () => ObservedBodies) => void;

const globalForObservers = globalThis as unknown as { switchyardGatewayObservers?: readonly GatewayObserver[] };

/** Sets the process's observers (idempotent: the list replaces the last one). */
export function installGatewayObservers(observers: readonly GatewayObserver[]): void {
  globalForObservers.switchyardGatewayObservers = observers;
}

export function installedGatewayObservers(): readonly GatewayObserver[] {
  return globalForObservers.switchyardGatewayObservers ?? NONE;
}

const NONE: readonly GatewayObserver[] = [];
