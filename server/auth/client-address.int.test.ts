/** The HTTP server stamps the client's address from the real socket; a client cannot choose it. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, parseTrustedProxies, stampClientAddress } from "./client-address";

let trusted = parseTrustedProxies("");
let server: Server;
let origin: string;
beforeAll(async () => {
  // The same stamping server/http-server.ts does before Next sees a request.
  server = createServer((req, res) => {
    stampClientAddress(req, trusted);
    res.end(String(req.headers[CLIENT_ADDRESS_HEADER]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const seen = (headers: Record<string, string>) => fetch(origin, { headers }).then((res) => res.text());

describe("the client's address", () => {
  it("comes from the socket; a spoofed header or X-Forwarded-For from an untrusted peer changes nothing", async () => {
    trusted = parseTrustedProxies("");
    expect(await seen({})).toBe("127.0.0.1");
    expect(await seen({ [CLIENT_ADDRESS_HEADER]: "203.0.113.1", "x-forwarded-for": "203.0.113.2" })).toBe("127.0.0.1");
  });

  it("comes from X-Forwarded-For when SWITCHYARD_TRUSTED_PROXIES lists the peer", async () => {
    trusted = parseTrustedProxies("127.0.0.1");
    expect(await seen({ "x-forwarded-for": "6.6.6.6, 203.0.113.2" })).toBe("203.0.113.2");
    expect(await seen({ [CLIENT_ADDRESS_HEADER]: "6.6.6.6" })).toBe("127.0.0.1");
  });
});
