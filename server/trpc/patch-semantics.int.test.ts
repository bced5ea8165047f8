/**
 * An update changes only what it is sent, on every PATCH and update route:
 * each test sends one field over REST and checks that nothing else moved.
 * A walk over the router also checks every PATCH/PUT input schema: parsed from
 * its path parameters alone, it must add no field (a `.default()` left in a
 * `.partial()` schema would, and overwrite what is stored).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import type { Meta } from "@/server/trpc/init";
import { handleRest } from "@/server/trpc/rest";
import { appRouter } from "@/server/trpc/root";

let db: Db;
let key: string;
let owner: ReturnType<typeof callerFor>;
let projectId: string;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  const made = await makeProject(db, "Patch");
  projectId = made.project.id;
  owner = callerFor(db, made.owner.principal, projectId);
  key = (await makeApiKey(db, projectId)).key;
});

async function rest(method: string, path: string, body?: unknown) {
  const response = await handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );
  const json = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** `after` equals `before` except for `changed` (and the update time). */
function expectOnly(before: Record<string, unknown>, after: Record<string, unknown>, changed: Record<string, unknown>) {
  const { updatedAt: _b, ...rest } = before;
  const { updatedAt: _a, ...restAfter } = after;
  expect(restAfter).toEqual({ ...rest, ...changed });
}

describe("every PATCH/PUT input schema adds nothing it was not sent", () => {
  const procedures = appRouter._def.procedures as unknown as Record<
    string,
    { _def: { meta?: Meta; inputs: { safeParse(v: unknown): { success: boolean; data?: unknown } }[] } }
  >;
  const updates = Object.entries(procedures).filter(([, p]) =>
    ["PATCH", "PUT"].includes(p._def.meta?.openapi?.method ?? ""),
  );

  it("finds the update routes", () => {
    expect(updates.map(([name]) => name)).toEqual(
      expect.arrayContaining(["models.update", "routes.update", "members.updateRole", "apiKeys.updateLimits"]),
    );
  });

  for (const [name, procedure] of updates)
    it(name, () => {
      const params = [...(procedure._def.meta!.openapi!.path.matchAll(/\{(\w+)\}/g) ?? [])].map((m) => m[1]);
      const sent = Object.fromEntries(
        params.map((p) => [p, /id$/i.test(p) ? "00000000-0000-4000-8000-000000000001" : "production"]),
      );
      for (const schema of procedure._def.inputs) {
        const parsed = schema.safeParse(sent);
        // A required field missing is fine (the route needs it); a value appearing from nowhere is not.
        if (parsed.success) expect(Object.keys(parsed.data as object).sort()).toEqual(Object.keys(sent).sort());
      }
    });
});

describe("PATCH changes only what it is sent", () => {
  it("PATCH /models/{id}: contextLength, license, description, tags, a price, one at a time", async () => {
    const created = await owner.models.create({
      name: "patched",
      provider: "openai-compatible",
      task: "chat",
      contextLength: 4096,
      license: "apache-2.0",
      priceInputPerMTok: 1,
      priceOutputPerMTok: 2,
      tags: ["support", "fast"],
      description: "The support model",
    });
    const steps: Record<string, unknown>[] = [
      { contextLength: 8192 },
      { license: "MIT" },
      { description: "Changed" },
      { tags: ["one"] },
      { priceOutputPerMTok: 3 },
      { task: "completion" },
      {},
    ];
    for (const change of steps) {
      const before = await rest("GET", `/models/${created.id}`);
      await rest("PATCH", `/models/${created.id}`, change);
      expectOnly(before, await rest("GET", `/models/${created.id}`), change);
    }
  });

  it("PATCH /routes/{routeId}: enabled, then description", async () => {
    const model = await owner.models.create({ name: "routed", provider: "openai-compatible", task: "chat" });
    await owner.models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "https://upstream.example.com/v1",
      upstreamModelId: "m",
    });
    const { routeId } = await owner.routes.create({
      name: "support",
      description: "Support traffic",
      source: "deployments:\n  - model: routed\n",
    });
    for (const change of [{ enabled: false }, { description: "Changed" }, {}]) {
      const before = await rest("GET", `/routes/${routeId}`);
      await rest("PATCH", `/routes/${routeId}`, change);
      expectOnly(before, await rest("GET", `/routes/${routeId}`), change);
    }
  });

  it("PATCH /members/{userId}: the role, and nothing else of the membership", async () => {
    const member = await addMember(db, projectId, "viewer");
    const find = async () =>
      (await rest("GET", "/members")).find((m: { userId: string }) => m.userId === member.user.id);
    const before = await find();
    await rest("PATCH", `/members/${member.user.id}`, { role: "editor" });
    expectOnly(before, await find(), { role: "editor" });
  });

  it("PUT /api-keys/{id}/limits: one limit at a time, the others kept", async () => {
    const created = await owner.apiKeys.create({
      name: "limited",
      scopes: ["gateway:invoke"],
      requestsPerMinute: 10,
      tokensPerMinute: 1000,
      budgetUsd: 5,
      budgetPeriod: "month",
    });
    const find = async () =>
      (await rest("GET", "/api-keys")).find((k: { id: string }) => k.id === created.id) as Record<string, unknown>;
    for (const change of [
      { requestsPerMinute: 20 },
      { tokensPerMinute: null },
      { budgetUsd: 7 },
      { budgetPeriod: "week" },
      {},
    ]) {
      const before = await find();
      await rest("PUT", `/api-keys/${created.id}/limits`, change);
      expectOnly(before, await find(), change);
    }
  });

  it("PUT /project/settings and POST /experiments/{id}/traffic: their one field", async () => {
    const settings = await rest("GET", "/project/settings");
    await rest("PUT", "/project/settings", { requestBodyLogging: "full" });
    expectOnly(settings, await rest("GET", "/project/settings"), { requestBodyLogging: "full" });

    const { promptId } = await owner.prompts.create({ name: "p", type: "text", template: "Hi" });
    const experiment = await owner.experiments.create({
      name: "traffic",
      description: "Described",
      hypothesis: "Better",
      promptId,
      trafficPercent: 50,
      metrics: [{ name: "ok", kind: "rate" }],
      variants: [
        { key: "a", weight: 30, promptVersion: 1 },
        { key: "b", weight: 70, promptVersion: 1 },
      ],
    });
    const before = await rest("GET", `/experiments/${experiment.id}`);
    await rest("POST", `/experiments/${experiment.id}/traffic`, { trafficPercent: 80 });
    expectOnly(before, await rest("GET", `/experiments/${experiment.id}`), { trafficPercent: 80 });
  });

  it("PUT /prompts/{promptId}/labels/{label} and its protection: that label only", async () => {
    const { promptId } = await owner.prompts.create({ name: "labelled", type: "text", template: "v1" });
    await owner.prompts.createVersion({ promptId, template: "v2" });
    await owner.prompts.moveLabel({ promptId, label: "production", version: 1 });
    await owner.prompts.moveLabel({ promptId, label: "staging", version: 1 });
    const labels = async () => (await rest("GET", `/prompts/${promptId}`)).labels;
    const before = await labels();
    await rest("PUT", `/prompts/${promptId}/labels/staging`, { version: 2 });
    expect(await labels()).toEqual(
      before.map((l: { name: string }) => (l.name === "staging" ? { ...l, version: 2 } : l)),
    );
    const moved = await labels();
    await rest("POST", `/prompts/${promptId}/labels/production/protection`, { protected: true });
    expect(await labels()).toEqual(
      moved.map((l: { name: string }) => (l.name === "production" ? { ...l, protected: true } : l)),
    );
  });
});
