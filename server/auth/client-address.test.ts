import { describe, expect, it } from "vitest";
import { addressBucket } from "@/server/auth/sign-in-throttle";
import { clientAddress, parseTrustedProxies } from "./client-address";

describe("clientAddress", () => {
  const none = parseTrustedProxies("");
  const proxies = parseTrustedProxies("10.0.0.0/8, 192.0.2.1");

  it("is the socket's peer, and X-Forwarded-For is ignored unless the peer is a trusted proxy", () => {
    expect(clientAddress("203.0.113.5", undefined, none)).toBe("203.0.113.5");
    expect(clientAddress("203.0.113.5", "1.2.3.4", none)).toBe("203.0.113.5");
    // A client that is not a trusted proxy cannot choose its address either.
    expect(clientAddress("203.0.113.5", "1.2.3.4", proxies)).toBe("203.0.113.5");
    expect(clientAddress("::ffff:203.0.113.5", undefined, none)).toBe("203.0.113.5");
    expect(clientAddress(undefined, "1.2.3.4", proxies)).toBe("unknown");
  });

  it("behind trusted proxies, takes the right-most hop that is not one of them", () => {
    expect(clientAddress("10.1.2.3", "198.51.100.20", proxies)).toBe("198.51.100.20");
    // The client wrote the left-most entry itself: only hops added by trusted proxies count.
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.20, 10.9.9.9", proxies)).toBe("198.51.100.20");
    expect(clientAddress("::ffff:192.0.2.1", ["6.6.6.6", "198.51.100.21"], proxies)).toBe("198.51.100.21");
    // A hop that is not an address stops the walk at the last proxy we trust.
    expect(clientAddress("10.1.2.3", "198.51.100.20, garbage", proxies)).toBe("10.1.2.3");
  });

  it("refuses a malformed SWITCHYARD_TRUSTED_PROXIES entry, naming it", () => {
    expect(() => parseTrustedProxies("10.0.0.0/8, proxy.local")).toThrow(/'proxy\.local' is not an IP address or CIDR/);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/'10\.0\.0\.0\/33'/);
  });

  it("buckets IPv6 sign-in attempts per /64 and IPv4 per address", () => {
    expect(addressBucket("2001:db8:1:2::7")).toBe(addressBucket("2001:db8:1:2:ffff::1"));
    expect(addressBucket("2001:db8:1:3::7")).not.toBe(addressBucket("2001:db8:1:2::7"));
    expect(addressBucket("::ffff:198.51.100.1")).toBe("198.51.100.1");
    expect(addressBucket("not an address")).toBe("unknown");
  });
});
