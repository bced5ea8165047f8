/**
 * The custom server's guard in front of Next: a path that does not decode is a 400 naming the path (Next itself
 * answers it with a bare 500, before any handler of ours runs), and a path that decodes goes on untouched.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasMalformedPath, refuseMalformedPath } from "./malformed-path";

let server: Server;
let origin: string;
const reached: string[] = [];

beforeAll(async () => {
  // What stands behind the guard (Next in the app) just says it was reached.
  server = createServer((req, res) => {
    if (refuseMalformedPath(req, res)) return;
    reached.push(req.url ?? "");
    res.end("reached");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("malformed % escapes in paths", () => {
  it("are a 400 naming the path, for REST, tRPC and pages alike, and go no further", async () => {
    for (const path of [
      "/api/rest/%zz",
      "/api/rest/models/%E0%A4%A",
      "/api/trpc/%",
      "/models/a%2",
      "/api/rest/%ED%A0%80",
    ]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(400);
      const { error } = await response.json();
      expect(error).toMatchObject({ code: "BAD_REQUEST", status: 400, issues: [{ path: "path" }] });
      expect(error.message).toMatch(/malformed %-escape/);
    }
    expect(reached).toEqual([]);
  });

  it("let well-formed paths through, escapes and odd queries included", async () => {
    for (const path of ["/api/rest/models", "/api/rest/models/%C3%A9%2F", "/api/rest/models?search=%zz", "/"]) {
      const response = await fetch(`${origin}${path}`);
      expect(await response.text(), path).toBe("reached");
    }
    expect(hasMalformedPath("/a%zz?b")).toBe(true);
    expect(hasMalformedPath("/a?b=%zz")).toBe(false);
  });
});
