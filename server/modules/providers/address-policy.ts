/**
 * Which addresses an upstream call may reach. Anyone who may register a model chooses the URL the gateway calls,
 * so by default only public unicast addresses are reachable: not loopback, private, link-local (cloud metadata at
 * 169.254.169.254), unique-local (fd00:ec2::254), CGNAT, multicast, unspecified, reserved or IPv6 translation
 * prefixes that embed an IPv4 address. An operator opens exceptions with `SWITCHYARD_UPSTREAM_ALLOW` (hosts and
 * CIDRs), e.g. for a vLLM server on the private network. Checked at registration for literal addresses, and at
 * connect time for every address a host name resolves to (so a name that later resolves elsewhere, DNS
 * rebinding, is caught too: see transport.ts).
 */
import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface AllowList {
  /** Lower-case host names allowed whatever they resolve to. */
  hosts: Set<string>;
  ranges: [Address, number][];
}

/** The only IPv6 space in use on the public internet (2000::/3); everything else is special. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

/** Parses `SWITCHYARD_UPSTREAM_ALLOW`: comma-separated host names, addresses and CIDRs; throws naming a bad entry. */
export function parseAllowList(raw: string, variable: string): AllowList {
  const allow: AllowList = { hosts: new Set(), ranges: [] };
  for (const item of raw.split(",")) {
    const entry = item.trim().toLowerCase();
    if (!entry) continue;
    const bare = entry.replace(/^\[([^\]]*)\]/, "$1");
    if (entry.includes("/")) {
      try {
        allow.ranges.push(ipaddr.parseCIDR(bare));
      } catch {
        throw new Error(`${variable}: '${item.trim()}' is not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
      }
    } else if (ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare)) {
      const address = ipaddr.parse(bare);
      allow.ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (HOST_NAME.test(entry.replace(/\.$/, ""))) allow.hosts.add(entry.replace(/\.$/, ""));
    else throw new Error(`${variable}: '${item.trim()}' is not a host name, an IP address or a CIDR range`);
  }
  return allow;
}

/** The address as IPv4 when it is an IPv4-mapped IPv6 one (::ffff:127.0.0.1 is 127.0.0.1). */
function unmapped(address: Address): Address {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress())
    return (address as ipaddr.IPv6).toIPv4Address();
  return address;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: "a loopback",
  private: "a private",
  linkLocal: "a link-local",
  uniqueLocal: "a unique-local",
  carrierGradeNat: "a carrier-grade NAT",
  multicast: "a multicast",
  broadcast: "a broadcast",
  unspecified: "an unspecified",
};

/**
 * Why an upstream call may not connect to `address` (an IP address in any form ipaddr.js parses, brackets
 * and zone ids removed by the caller), or null when it may. Names the kind of address, never the address.
 */
export function addressRefusal(address: string, allow: AllowList): string | null {
  let parsed: Address;
  try {
    parsed = unmapped(ipaddr.parse(address));
  } catch {
    return "an address that is not a valid IP address";
  }
  for (const [range, bits] of allow.ranges) {
    const candidate = range.kind() === parsed.kind() ? parsed : null;
    if (candidate?.match(range, bits)) return null;
  }
  const kind = parsed.range();
  if (parsed.kind() === "ipv4") return kind === "unicast" ? null : `${RANGE_NAMES[kind] ?? "a reserved"} address`;
  if (kind !== "unicast") return `${RANGE_NAMES[kind] ?? "a special-purpose IPv6"} address`;
  return parsed.match(GLOBAL_UNICAST_V6) ? null : "a special-purpose IPv6 address";
}

/** A host name allowed by name, whatever it resolves to. */
export function hostAllowed(hostname: string, allow: AllowList): boolean {
  return allow.hosts.has(hostname.toLowerCase().replace(/\.$/, ""));
}

/** `[::1]` → `::1`; anything else as it is. */
const unbracketed = (hostname: string) =>
  hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;

const isLocalhostName = (hostname: string) => hostname === "localhost" || hostname.endsWith(".localhost");

/**
 * Why a model version may not be registered with this endpoint, or null. Only http(s); no query or fragment (a
 * base URL is a prefix the gateway appends paths to: `?`/`#` would let it pick another path); no user info; and
 * a literal address (in any notation: the URL parser has already turned `http://2130706433` and `0x7f.1` into
 * 127.0.0.1) or a `localhost` name must be one upstream calls may reach. Names that resolve elsewhere are
 * checked when the gateway connects.
 */
export function endpointRefusal(raw: string, allow: AllowList): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be an http(s) URL, not ${url.protocol}`;
  if (raw.includes("?") || raw.includes("#")) return "must not contain '?' or '#' (a base URL ends at its path)";
  if (url.username || url.password) return "must not contain a user name or password (set the API key instead)";
  const hostname = unbracketed(url.hostname).toLowerCase().replace(/\.$/, "");
  if (hostAllowed(hostname, allow)) return null;
  if (ipaddr.isValid(hostname)) {
    const why = addressRefusal(hostname, allow);
    return why ? refusalText(url.host, why) : null;
  }
  if (isLocalhostName(hostname)) return refusalText(url.host, "a loopback address");
  return null;
}

/** `resolved`: the host is a name whose address was looked up (at connect time). */
export const refusalText = (host: string, why: string, resolved = false) =>
  `${host} ${resolved ? "resolves to" : "is"} ${why}, which upstream calls may not reach (an operator can allow it with SWITCHYARD_UPSTREAM_ALLOW)`;
