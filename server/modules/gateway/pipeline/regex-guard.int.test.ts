/**
 * Issue 14, item 2: regex guardrails run in RE2. The issue's `^(a+)+$` against 40 a's and a '!' (2^40
 * backtracking steps in V8: the process would never answer again) is answered, and so is another project's
 * request sent behind it; a pattern RE2 cannot run is refused when the route is saved, naming its path, and a
 * stored version holding one (saved before this change) is refused at load, never served without its guard.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { createGatewayHandler } from "@/server/modules/gateway/handler";
import { toNodeListener } from "@/server/modules/gateway/node-adapter";
import { registerUpstreamModel } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { type FakeUpstream, sendJson, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { DbRouteSource } from "@/server/modules/routes/db-source";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

process.env.SWITCHYARD_UPSTREAM_ALLOW ??= "127.0.0.1";

const GUARDED = (pattern: string) =>
  [
    "deployments:",
    "  - model: rx-up",
    "pipeline:",
    "  input:",
    "    regex:",
    "      - name: only-as",
    `        pattern: '${pattern}'`,
    "        action: block",
    "",
  ].join("\n");

let db: Db;
let fake: FakeUpstream;
let server: Server;
let url: string;
const keys: Record<"a" | "b", string> = { a: "", b: "" };
const callers: Partial<Record<"a" | "b", ReturnType<typeof callerFor>>> = {};
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  fake = await startFakeUpstream((_req, res) =>
    sendJson(res, 200, {
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    }),
  );
  for (const tenant of ["a", "b"] as const) {
    const { project, owner } = await makeProject(db, `Tenant ${tenant}`);
    const caller = callerFor(db, owner.principal, project.id);
    await registerUpstreamModel(caller, "rx-up", fake.origin);
    keys[tenant] = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
    callers[tenant] = caller;
  }
  await callers.a!.routes.create({ name: "guarded", source: GUARDED("^(a+)+$") });
  const handler = createGatewayHandler({
    db,
    sink: new MemorySink(),
    promptCache: null,
    routes: new DbRouteSource(db, { ttlMs: 0 }),
  });
  server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await fake?.close();
});

const chat = (tenant: "a" | "b", model: string, content: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys[tenant]}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });

describe("regex guardrails in RE2", () => {
  it("answers ^(a+)+$ against 40 a's and a '!' and another project's request sent behind it", async () => {
    const evil = chat("a", "guarded", `${"a".repeat(40)}!`);
    const other = chat("b", "rx-up", "hello");
    const [evilAnswer, otherAnswer] = await Promise.all([evil, other]);
    expect(otherAnswer.status).toBe(200);
    // No match (the '!'), so the request goes through; the guard still blocks what it matches.
    expect(evilAnswer.status).toBe(200);
    const blocked = await chat("a", "guarded", "a".repeat(40));
    expect(blocked.status).toBe(400);
    expect((await blocked.json()).error.message).toMatch(/only-as/);
  });

  it("refuses a backreference when the route is saved, naming the pattern's path, line and why", async () => {
    const before = await db.gatewayRoute.count();
    const refused = callers.a!.routes.create({ name: "echo", source: GUARDED("(a)\\1") });
    await expect(refused).rejects.toThrow(
      /line 7, column 18: pipeline\.input\.regex\.0\.pattern: Not a pattern RE2 can run: invalid escape sequence: `\\1` \(backreferences and lookahead\/lookbehind are not supported/,
    );
    expect(await db.gatewayRoute.count()).toBe(before);
  });

  it("refuses requests to a stored version RE2 cannot run (saved before RE2) instead of serving it unguarded", async () => {
    await callers.a!.routes.create({ name: "legacy", source: GUARDED("secret") });
    const route = await db.gatewayRoute.findFirstOrThrow({
      where: { name: "legacy" },
      include: { activeVersion: true },
    });
    const config = route.activeVersion!.config as { pipeline: { input: { regex: { pattern: string }[] } } };
    config.pipeline.input.regex[0].pattern = "secret(?=:)";
    await db.gatewayRouteVersion.update({ where: { id: route.activeVersionId! }, data: { config } });

    const response = await chat("a", "legacy", "nothing to hide");
    expect(response.status).toBe(422);
    expect((await response.json()).error.message).toMatch(
      /^Route 'legacy' v1 no longer validates \(pipeline\.input\.regex\.0\.pattern: Not a pattern RE2 can run: .*\); save a new version of it$/,
    );
    // Other routes of the project are unaffected.
    expect((await chat("a", "guarded", "hello")).status).toBe(200);
  });
});
