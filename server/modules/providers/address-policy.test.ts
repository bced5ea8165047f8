import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressRefusal, endpointRefusal, parseAllowList } from "./address-policy";

const none = parseAllowList("", "TEST");
const refused = (url: string) => endpointRefusal(url, none);

describe("endpointRefusal: where a model version may point", () => {
  it.each([
    ["http://127.0.0.1:8000/v1", "a loopback address"],
    ["http://2130706433/v1", "a loopback address"],
    ["http://0x7f.1/v1", "a loopback address"],
    ["http://0x7f000001/v1", "a loopback address"],
    ["http://0177.0.0.1/v1", "a loopback address"],
    ["http://127.1/v1", "a loopback address"],
    ["http://[::1]:8000/v1", "a loopback address"],
    ["http://[::ffff:127.0.0.1]/v1", "a loopback address"],
    ["http://[::ffff:7f00:1]/v1", "a loopback address"],
    ["http://[0:0:0:0:0:ffff:127.0.0.1]/v1", "a loopback address"],
    ["http://localhost:11434/v1", "a loopback address"],
    ["http://LOCALHOST./v1", "a loopback address"],
    ["http://vllm.localhost/v1", "a loopback address"],
    ["http://0.0.0.0/v1", "an unspecified address"],
    ["http://0/v1", "an unspecified address"],
    ["http://[::]/v1", "an unspecified address"],
    ["http://169.254.169.254/latest/meta-data", "a link-local address"],
    ["http://[fd00:ec2::254]/latest", "a unique-local address"],
    ["http://[fe80::1]/v1", "a link-local address"],
    ["http://10.0.0.5/v1", "a private address"],
    ["http://172.16.3.4/v1", "a private address"],
    ["http://192.168.1.10:8080/v1", "a private address"],
    ["http://100.100.100.200/v1", "a carrier-grade NAT address"],
    ["http://224.0.0.1/v1", "a multicast address"],
    ["http://255.255.255.255/v1", "a broadcast address"],
    ["http://240.0.0.1/v1", "a reserved address"],
    ["http://[ff02::1]/v1", "a multicast address"],
    // IPv6 forms that embed an IPv4 address: IPv4-compatible, NAT64, 6to4.
    ["http://[::127.0.0.1]/v1", "a special-purpose IPv6 address"],
    ["http://[64:ff9b::a9fe:a9fe]/v1", "a special-purpose IPv6 address"],
    ["http://[2002:7f00:1::]/v1", "a special-purpose IPv6 address"],
  ])("refuses %s (%s)", (url, kind) => {
    const why = refused(url);
    expect(why).toContain(kind);
    expect(why).toContain("SWITCHYARD_UPSTREAM_ALLOW");
  });

  it.each([
    ["file:///etc/passwd", "must be an http(s) URL, not file:"],
    ["gopher://example.com/", "must be an http(s) URL, not gopher:"],
    ["https://api.example.com/v1?x=/admin", "must not contain '?' or '#'"],
    ["https://api.example.com/v1#", "must not contain '?' or '#'"],
    ["https://user:pw@api.example.com/v1", "must not contain a user name or password"],
    // Zone ids are not valid in URLs at all.
    ["http://[fe80::1%25eth0]/v1", "must be an absolute http(s) URL"],
    ["not a url", "must be an absolute http(s) URL"],
  ])("refuses %s", (url, message) => {
    expect(refused(url)).toContain(message);
  });

  it("accepts public addresses and host names (names are checked again at connect time)", () => {
    expect(refused("https://api.openai.com/v1")).toBeNull();
    expect(refused("http://8.8.8.8/v1")).toBeNull();
    expect(refused("http://[2606:4700::1111]/v1")).toBeNull();
    expect(refused("http://vllm.internal:8000/v1")).toBeNull();
  });

  it("names the host as registered, never another address", () => {
    expect(refused("http://2130706433:8000/v1")).toMatch(/^127\.0\.0\.1:8000 is a loopback address/);
  });
});

describe("SWITCHYARD_UPSTREAM_ALLOW", () => {
  const allow = parseAllowList(" 10.0.0.0/8 , vllm.lan, ::1, [fd00::]/8 ,192.168.1.7", "TEST");

  it("opens the listed hosts, addresses and ranges, and nothing else", () => {
    expect(endpointRefusal("http://10.1.2.3:8000/v1", allow)).toBeNull();
    expect(endpointRefusal("http://[::1]:8000/v1", allow)).toBeNull();
    expect(endpointRefusal("http://[fd00:ec2::254]/v1", allow)).toBeNull();
    expect(endpointRefusal("http://192.168.1.7/v1", allow)).toBeNull();
    expect(endpointRefusal("http://192.168.1.8/v1", allow)).toContain("a private address");
    expect(endpointRefusal("http://127.0.0.1/v1", allow)).toContain("a loopback address");
    // An IPv4 range covers the IPv4-mapped IPv6 form too.
    expect(addressRefusal("::ffff:10.9.9.9", allow)).toBeNull();
  });

  it("refuses a bad entry at start, naming it", () => {
    expect(() => parseAllowList("10.0.0.0/33", "SWITCHYARD_UPSTREAM_ALLOW")).toThrow(
      "SWITCHYARD_UPSTREAM_ALLOW: '10.0.0.0/33' is not a CIDR range",
    );
    expect(() => parseAllowList("ok.example, http://x", "SWITCHYARD_UPSTREAM_ALLOW")).toThrow("'http://x'");
  });
});

/** An IPv4 address written the ways URL parsers accept: dotted decimal, octal, hex, fewer parts, one number. */
function notations(a: number, b: number, c: number, d: number): string[] {
  const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  const octal = (x: number) => `0${x.toString(8)}`;
  const hex = (x: number) => `0x${x.toString(16)}`;
  return [
    `${a}.${b}.${c}.${d}`,
    String(n),
    hex(n),
    [a, b, c, d].map(octal).join("."),
    [a, b, c, d].map(hex).join("."),
    `${a}.${(b << 16) + (c << 8) + d}`,
    `${a}.${b}.${(c << 8) + d}`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
  ];
}

describe("every notation of a forbidden address", () => {
  it("is refused (property: 127/8, 10/8, 169.254/16 in all notations)", () => {
    const forbidden = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    );
    fc.assert(
      fc.property(forbidden, ([a, b, c, d]) => {
        for (const host of notations(a, b, c, d)) expect(refused(`http://${host}:8000/v1`), host).not.toBeNull();
      }),
    );
  });
});
