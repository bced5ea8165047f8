/**
 * Stored routes: YAML/JSON with precise line:column errors and nothing stored
 * on any error, versions, activation and rollback with their records, REST,
 * and the gateway serving through the database-backed route source (with
 * LISTEN/NOTIFY invalidation).
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { registerUpstreamModel } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { DbRouteSource } from "./db-source";

let db: Db;
let dbUrl: string;
withTestDatabase((created, url) => {
  db = created;
  dbUrl = url;
});

let caller: ReturnType<typeof callerFor>;
let key: string;
let fakeA: FakeUpstream;
let fakeB: FakeUpstream;

beforeAll(async () => {
  fakeA = await startFakeUpstream((req, res) => reply(req, res, ["from A"]));
  fakeB = await startFakeUpstream((req, res) => reply(req, res, ["from B"]));
  const { project, owner } = await makeProject(db, "Routes");
  caller = callerFor(db, owner.principal, project.id);
  for (const [name, origin] of [
    ["model-a", fakeA.origin],
    ["model-b", fakeB.origin],
  ] as const)
    await registerUpstreamModel(caller, name, origin);
  key = (await makeApiKey(db, project.id, ["gateway:invoke", "gateway:read", "gateway:write"])).key;
});
afterAll(async () => {
  await fakeA?.close();
  await fakeB?.close();
});

const YAML_A = `# support traffic
deployments:
  - model: model-a
    weight: 3
retries:
  attempts: 1
`;

const counts = async () => ({
  routes: await db.gatewayRoute.count(),
  versions: await db.gatewayRouteVersion.count(),
  audit: await db.auditLog.count({ where: { action: { startsWith: "route." } } }),
});
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error & { cause?: unknown }) => e,
  );

describe("bad configs are refused with their line and column, and nothing is stored", () => {
  it("a YAML syntax error", async () => {
    const before = await counts();
    const error = await refusal(
      caller.routes.create({ name: "bad", source: "deployments:\n  - model: model-a\n  weight: [1,\n" }),
    );
    expect(error?.message).toMatch(/^The route config is invalid at line 3, column 1: /);
    expect(await counts()).toEqual(before);
  });

  it("a YAML schema error points at the offending value, an unknown key at the key", async () => {
    const error = await refusal(
      caller.routes.create({
        name: "bad",
        source: "deployments:\n  - model: model-a\n    weight: 5000\ntimeoutMs: 50\nretrys: 2\n",
      }),
    );
    expect(error?.message).toContain("line 3, column 13: deployments.0.weight: Must be");
    expect(error?.message).toContain("(and 2 more)");
    const cause = (error as { cause?: { issues?: { message: string }[] } }).cause;
    const issues = cause?.issues?.map((i) => i.message) ?? [];
    expect(issues).toEqual([
      expect.stringMatching(/^line 3, column 13: deployments\.0\.weight: /),
      expect.stringMatching(/^line 4, column 12: timeoutMs: /),
      expect.stringMatching(/^line 5, column 1: Unknown field: retrys/),
    ]);
    expect((await counts()).routes).toBe(0);
  });

  it("a JSON syntax error and a JSON schema error", async () => {
    const syntax = await refusal(
      caller.routes.create({ name: "bad", source: '{\n  "deployments": [\n    {"model": "model-a"},\n  ]\n}' }),
    );
    expect(syntax?.message).toBe("The route config is invalid at line 4, column 3: Expected a value, found ']'");
    const schema = await refusal(
      caller.routes.create({ name: "bad", source: '{\n  "strategy": "fastest",\n  "deployments": []\n}' }),
    );
    expect(schema?.message).toMatch(/^The route config is invalid at line 2, column 15: strategy: Must be one of/);
    expect((await counts()).routes).toBe(0);
  });

  it("a model reference the registry cannot resolve", async () => {
    const error = await refusal(
      caller.routes.create({
        name: "bad",
        source: "deployments:\n  - model: model-a\n  - model: model-a@staging\nfallbacks: [nope]\n",
      }),
    );
    expect(error?.message).toContain("line 3, column 12: deployments.1.model: 'model-a@staging' does not resolve");
    const cause = (error as { cause?: { issues?: { message: string }[] } }).cause;
    expect(cause?.issues?.[1]?.message).toMatch(/^line 4, column 13: fallbacks\.0: 'nope' does not resolve/);
    expect((await counts()).routes).toBe(0);
  });

  it("validate answers the same issues without saving", async () => {
    const result = await caller.routes.validate({ source: "strategy: fastest\n" });
    expect(result).toMatchObject({ ok: false, format: "yaml", issues: [{ line: 1, column: 11, path: "strategy" }] });
    expect(await caller.routes.validate({ source: YAML_A })).toEqual({ ok: true, format: "yaml", issues: [] });
  });
});

describe("versions", () => {
  let routeId: string;

  it("stores the text exactly as written, its format and the defaulted config, with audit rows", async () => {
    const created = await caller.routes.create({ name: "support-bot", source: YAML_A, commitMessage: "first" });
    routeId = created.routeId;
    const route = await caller.routes.get({ id: routeId });
    expect(route).toMatchObject({ name: "support-bot", enabled: true, activeVersion: 1, latestVersion: 1 });
    expect(route.versions[0]).toMatchObject({ version: 1, format: "yaml", source: YAML_A, active: true });
    expect(route.versions[0].config).toMatchObject({
      deployments: [{ model: "model-a", weight: 3 }],
      retries: { attempts: 1, backoffMs: 100 },
      timeoutMs: 60_000,
    });
    const audit = await db.auditLog.findMany({ where: { targetId: routeId }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["route.create", "route.version.create"]);
  });

  it("refuses a second route with the same name", async () => {
    const error = await refusal(caller.routes.create({ name: "support-bot", source: "{}" }));
    expect(error?.message).toContain("already exists");
  });

  it("saving activates the new version; activating an older one is a recorded rollback", async () => {
    const json = '{\n  "deployments": [{ "model": "model-b" }]\n}';
    expect(await caller.routes.saveVersion({ routeId, source: json, commitMessage: "to B" })).toEqual({
      routeId,
      version: 2,
    });
    let route = await caller.routes.get({ id: routeId });
    expect(route).toMatchObject({ activeVersion: 2, latestVersion: 2 });
    expect(route.versions[0]).toMatchObject({ version: 2, format: "json", source: json });

    const rollback = await caller.routes.activate({ routeId, version: 1, reason: "B is flaky" });
    expect(rollback).toEqual({ routeId, version: 1, changed: true });
    route = await caller.routes.get({ id: routeId });
    expect(route.activeVersion).toBe(1);
    expect(route.activations[0]).toMatchObject({ fromVersion: 2, toVersion: 1, reason: "B is flaky" });
    const audit = await db.auditLog.findFirst({ where: { targetId: routeId }, orderBy: { createdAt: "desc" } });
    expect(audit).toMatchObject({ action: "route.rollback", summary: { from: 2, to: 1 } });

    const missing = await refusal(caller.routes.activate({ routeId, version: 9 }));
    expect(missing?.message).toContain("has no version 9");
  });

  it("lists with search and paging", async () => {
    await caller.routes.create({ name: "*", source: "retries:\n  attempts: 0\n" });
    const all = await caller.routes.list({});
    expect(all.items.map((r) => r.name)).toEqual(["*", "support-bot"]);
    const found = await caller.routes.list({ search: "support" });
    expect(found).toMatchObject({ total: 1, items: [{ name: "support-bot", activeVersion: 1, strategy: "weighted" }] });
    const page2 = await caller.routes.list({ page: 2, pageSize: 1 });
    expect(page2).toMatchObject({ total: 2, items: [{ name: "support-bot" }] });
  });
});

describe("the gateway serves stored routes", () => {
  let gateway: StandaloneGateway;
  let client: OpenAI;
  let source: DbRouteSource;
  const sink = new MemorySink();

  beforeAll(async () => {
    source = new DbRouteSource(db, { connectionString: dbUrl });
    await source.listen();
    gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, routes: source });
    client = new OpenAI({ apiKey: key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    await source?.close();
  });

  const ask = (model: string) =>
    client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();

  /** Requests until the answer changes: the NOTIFY arrives asynchronously. */
  async function until(model: string, content: string) {
    for (let i = 0; i < 100; i++) {
      const { data } = await ask(model);
      if (data.choices[0].message.content === content) return data;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never served '${content}'`);
  }

  it("routes the route's name to its active deployment, and follows activation through NOTIFY", async () => {
    const route = (await caller.routes.list({ search: "support" })).items[0];
    const { data, response } = await ask("support-bot");
    expect(data.choices[0].message.content).toBe("from A");
    expect(response.headers.get("x-switchyard-deployment")).toBe("model-a");
    const loads = source.loads;
    await ask("support-bot");
    expect(source.loads).toBe(loads); // cached: no query per request
    // This process's view of the deployment, as the console's Health tab shows it.
    expect(await caller.routes.health({ id: route.id })).toEqual([
      expect.objectContaining({ model: "model-a", role: "deployment", totalSuccesses: 2, outstanding: 0 }),
    ]);

    await caller.routes.activate({ routeId: route.id, version: 2 });
    const switched = await until("support-bot", "from B");
    expect((switched as unknown as { switchyard: { deployment: string } }).switchyard.deployment).toBe("model-b");
    expect(source.loads).toBeGreaterThan(loads);
  });

  it("a disabled route is not applied; deleted, it is gone", async () => {
    const route = (await caller.routes.list({ search: "support" })).items[0];
    await caller.routes.update({ routeId: route.id, enabled: false });
    const refused = await (async () => {
      for (let i = 0; i < 100; i++) {
        const error = await ask("support-bot").then(
          () => null,
          (e: unknown) => e,
        );
        if (error) return error;
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    })();
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    await caller.routes.delete({ id: route.id });
    expect(await db.gatewayRoute.count({ where: { id: route.id } })).toBe(0);
    expect(await db.gatewayRouteVersion.count({ where: { routeId: route.id } })).toBe(0);
    const audit = await db.auditLog.findMany({ where: { targetId: route.id }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["route.disable", "route.delete"]));
  });
});

describe("REST", () => {
  const rest = (method: string, path: string, body?: unknown) =>
    handleRest(
      new Request(`http://localhost/api/rest${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
      { db, session: async () => null },
    );

  it("creates from YAML and refuses a bad one with 400 naming the line", async () => {
    const bad = await rest("POST", "/routes", { name: "rest-bot", source: "deployments:\n  - model: nope\n" });
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.message).toContain("line 2, column 12: deployments.0.model: 'nope' does not resolve");
    expect(await db.gatewayRoute.count({ where: { name: "rest-bot" } })).toBe(0);

    const ok = await rest("POST", "/routes", { name: "rest-bot", source: "deployments:\n  - model: model-b\n" });
    expect(ok.status).toBe(200);
    const listed = await (await rest("GET", "/routes?search=rest")).json();
    expect(listed).toMatchObject({ total: 1, items: [{ name: "rest-bot", activeVersion: 1 }] });
  });
});
