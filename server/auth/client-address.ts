import type { IncomingMessage } from "node:http";
import ipaddr from "ipaddr.js";

/**
 * The header the HTTP server sets on every console/API request to the
 * client's address (sign-in throttling reads it). Whatever a client sends
 * under this name is overwritten, so it cannot be spoofed through our server.
 */
export const CLIENT_ADDRESS_HEADER = "x-switchyard-client-address";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type TrustedProxies = readonly [Address, number][];

/** SWITCHYARD_TRUSTED_PROXIES: comma-separated addresses and CIDR ranges; throws naming a bad entry. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const ranges: [Address, number][] = [];
  for (const entry of (value ?? "").split(",").map((s) => s.trim())) {
    if (!entry) continue;
    try {
      if (entry.includes("/")) ranges.push(ipaddr.parseCIDR(entry));
      else {
        const address = ipaddr.process(entry);
        ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
      }
    } catch {
      throw new Error(`SWITCHYARD_TRUSTED_PROXIES: '${entry}' is not an IP address or CIDR range (e.g. 10.0.0.0/8)`);
    }
  }
  return ranges;
}

function parse(value: string): Address | null {
  // process() turns IPv4-mapped IPv6 (::ffff:1.2.3.4, how Node reports IPv4 peers on a dual-stack socket) into IPv4.
  return ipaddr.isValid(value) ? ipaddr.process(value) : null;
}

function isTrusted(address: Address, trusted: TrustedProxies): boolean {
  return trusted.some(([range, bits]) => address.kind() === range.kind() && address.match(range, bits));
}

/**
 * Who is calling: the socket's peer. Only when that peer is a trusted proxy is
 * X-Forwarded-For read, right to left, past the trusted proxies: the first
 * hop that is not one of them is the client (entries left of it are whatever
 * the client wrote). Without trusted proxies the header is ignored: anyone can
 * send one.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const peer = parse(socketAddress ?? "");
  if (!peer) return "unknown";
  if (!forwardedFor || !isTrusted(peer, trusted)) return peer.toString();
  const hops = [forwardedFor].flat().join(",").split(",");
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parse(hops[i].trim());
    if (!hop) break; // not an address: stop at the last hop we could read
    client = hop;
    if (!isTrusted(hop, trusted)) break;
  }
  return client.toString();
}

/** Sets CLIENT_ADDRESS_HEADER on a request the Node server received, replacing any the client sent. */
export function stampClientAddress(req: IncomingMessage, trusted: TrustedProxies): void {
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
}
