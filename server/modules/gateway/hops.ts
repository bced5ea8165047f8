/**
 * The receiving side of the hop headers (`providers/hops.ts`): a request that already passed through this
 * gateway, or through SWITCHYARD_MAX_HOPS gateways, is refused with 508 Loop Detected before anything is called,
 * so a model whose endpoint leads back to a gateway costs a bounded number of calls and log rows.
 */
import { DomainError } from "@/server/errors";
import { upstreamSettings } from "@/server/modules/providers/config";
import { HOP_HEADER, INSTANCE_ID, type Requester, VIA_HEADER } from "@/server/modules/providers/hops";
import { LoopDetectedError } from "./errors";
import type { GatewayHttpRequest } from "./http-request";

const INSTANCE = /^[A-Za-z0-9_-]{1,64}$/;

const malformed = (header: string, message: string) =>
  new DomainError("BAD_REQUEST", `${header}: ${message}`, [{ path: header, message }]);

/**
 * Who this request's upstream calls are for and the hops it came through; throws BAD_REQUEST for a malformed
 * hop header and LoopDetectedError (508) for a loop.
 */
export function requesterOf(req: GatewayHttpRequest, projectId: string, keyId: string | null): Requester {
  const hop = req.headers.get(HOP_HEADER);
  const via = req.headers.get(VIA_HEADER);
  if (hop === null && via === null) return { projectId, keyId, hops: 0, via: [] };
  let hops = 0;
  if (hop !== null) {
    if (!/^\s*\d{1,6}\s*$/.test(hop)) throw malformed(HOP_HEADER, "must be a whole number (gateways passed)");
    hops = Number(hop);
  }
  const instances = (via ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  const bad = instances.find((id) => !INSTANCE.test(id));
  if (bad !== undefined) throw malformed(VIA_HEADER, "must list gateway instance ids separated by commas");
  if (instances.includes(INSTANCE_ID))
    throw new LoopDetectedError(
      "Request loop detected: this request already passed through this gateway (a model's endpoint leads back to it)",
    );
  hops = Math.max(hops, instances.length);
  const { maxHops } = upstreamSettings();
  if (hops >= maxHops)
    throw new LoopDetectedError(
      `Request loop detected: this request already passed through ${hops} gateways, the most SWITCHYARD_MAX_HOPS allows is ${maxHops}`,
    );
  return { projectId, keyId, hops, via: instances };
}
