/**
 * Hop headers: every upstream call says how many gateways it has passed through and which ones, so a model
 * whose endpoint leads back to a gateway (this one, directly or through others) cannot loop: the gateway
 * refuses a request that already carries its own id or has passed SWITCHYARD_MAX_HOPS gateways
 * (`gateway/hops.ts`). Without them one request to a model pointed at the gateway itself wrote 57,783 log rows.
 */
import { randomBytes } from "node:crypto";

/** How many gateways the request has passed through (a client's request: none, so its upstream call says 1). */
export const HOP_HEADER = "x-switchyard-hop";
/** The instance ids of those gateways, oldest first, comma-separated. */
export const VIA_HEADER = "x-switchyard-via";

/**
 * This process's id. Kept on `globalThis` under a registered symbol: the gateway bundle and Next's server
 * bundle each have their own copy of this module in one process, and they are one listener for this purpose.
 */
const INSTANCE_KEY = Symbol.for("switchyard.instanceId");
const global = globalThis as Record<symbol, string | undefined>;
global[INSTANCE_KEY] ??= randomBytes(8).toString("hex");
export const INSTANCE_ID = global[INSTANCE_KEY];

/** Who an upstream call is made for, and the hops its request came through. */
export interface Requester {
  /** Whose share of upstream connections the call takes (`shares.ts`). */
  projectId: string | null;
  /** An API key's id, or the playground user's. */
  keyId: string | null;
  /** Gateways the incoming request had already passed (0 for a client's own request). */
  hops: number;
  /** Their instance ids, oldest first. */
  via: readonly string[];
}

/** The headers an upstream call carries for a request that came through `via` (this instance appended). */
export function hopHeaders(requester: Pick<Requester, "hops" | "via"> | undefined): Record<string, string> {
  const via = requester?.via.length ? `${requester.via.join(", ")}, ${INSTANCE_ID}` : INSTANCE_ID;
  return { [HOP_HEADER]: String((requester?.hops ?? 0) + 1), [VIA_HEADER]: via };
}
