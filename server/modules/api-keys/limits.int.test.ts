/** API-key limits and the project's body-logging setting through tRPC and REST: rules, validation, audit. */
import { beforeAll, describe, expect, it } from "vitest";
import { verifyApiKey } from "@/server/auth/api-key";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
let restKey: string;

withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
  restKey = (await makeApiKey(db, fixture.project.id)).key;
});

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
const rest = (method: string, path: string, body: unknown) =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${restKey}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );
const audit = (action: string, targetId: string) =>
  db.auditLog.findMany({ where: { projectId: fixture.project.id, action, targetId } });

describe("API key limits", () => {
  it("are set at creation, travel with the key's principal, and are listed", async () => {
    const created = await owner().apiKeys.create({
      name: "limited",
      scopes: ["gateway:invoke"],
      requestsPerMinute: 60,
      tokensPerMinute: 10_000,
      budgetUsd: 12.5,
      budgetPeriod: "month",
    });
    expect(created).toMatchObject({
      requestsPerMinute: 60,
      tokensPerMinute: 10_000,
      budgetUsd: 12.5,
      budgetPeriod: "month",
    });
    const principal = await verifyApiKey(db, created.key);
    expect(principal).toMatchObject({
      limits: { requestsPerMinute: 60, tokensPerMinute: 10_000, budgetUsd: 12.5, budgetPeriod: "month" },
    });
    const [row] = await audit("apiKey.create", created.id);
    expect(row.summary).toMatchObject({ limits: { requestsPerMinute: 60, budgetUsd: 12.5 } });

    const plain = await owner().apiKeys.create({ name: "plain", scopes: ["gateway:invoke"] });
    expect((await verifyApiKey(db, plain.key)) as { limits?: unknown }).toMatchObject({ limits: null });
  });

  it("change by updateLimits only where sent (null = unlimited), with an audit row of before and after", async () => {
    const created = await owner().apiKeys.create({
      name: "editable",
      scopes: ["gateway:invoke"],
      requestsPerMinute: 5,
    });
    const updated = await owner().apiKeys.updateLimits({
      id: created.id,
      tokensPerMinute: 900,
      budgetUsd: 3,
      budgetPeriod: "day",
    });
    expect(updated).toMatchObject({ requestsPerMinute: 5, tokensPerMinute: 900, budgetUsd: 3, budgetPeriod: "day" });
    const [row] = await audit("apiKey.limits", created.id);
    expect(row.summary).toMatchObject({
      from: { requestsPerMinute: 5, tokensPerMinute: null, budgetUsd: null },
      to: { tokensPerMinute: 900, budgetUsd: 3, budgetPeriod: "day" },
    });
    const usage = await owner().apiKeys.usage({});
    expect(usage.find((u) => u.id === created.id)).toMatchObject({
      requestsPerMinute: 0,
      tokensPerMinute: 0,
      spentUsd: 0,
    });
    expect(usage.find((u) => u.id === created.id)?.periodEndsAt).toBeInstanceOf(Date);
    // Only the budget's amount: the period stays; null lifts one limit and keeps the rest.
    expect(await owner().apiKeys.updateLimits({ id: created.id, budgetUsd: 4 })).toMatchObject({
      requestsPerMinute: 5,
      budgetUsd: 4,
      budgetPeriod: "day",
    });
    expect(await owner().apiKeys.updateLimits({ id: created.id, requestsPerMinute: null })).toMatchObject({
      requestsPerMinute: null,
      tokensPerMinute: 900,
      budgetUsd: 4,
    });
    await expect(owner().apiKeys.updateLimits({ id: created.id, budgetPeriod: null })).rejects.toThrow(/budget/i);
    const cleared = await owner().apiKeys.updateLimits({ id: created.id, budgetUsd: null, budgetPeriod: null });
    expect(cleared).toMatchObject({ tokensPerMinute: 900, budgetUsd: null, budgetPeriod: null });
  });

  it("refuses bad limits over REST with 400 naming the field, writing nothing", async () => {
    const target = await owner().apiKeys.create({ name: "target", scopes: ["gateway:invoke"] });
    const cases: [unknown, string, RegExp][] = [
      [{ requestsPerMinute: 0 }, "requestsPerMinute", /at least 1/],
      [{ requestsPerMinute: 2.5 }, "requestsPerMinute", /whole number/],
      [{ tokensPerMinute: -3 }, "tokensPerMinute", /at least 1/],
      [{ tokensPerMinute: "many" }, "tokensPerMinute", /must be a number/],
      [{ budgetUsd: 0, budgetPeriod: "day" }, "budgetUsd", /more than \$0/],
      [{ budgetUsd: 5 }, "budgetPeriod", /period/],
      [{ budgetPeriod: "month" }, "budgetUsd", /budget/i],
      [{ budgetUsd: 5, budgetPeriod: "year" }, "budgetPeriod", /day, week or month/],
    ];
    const keysBefore = await db.apiKey.count();
    const auditBefore = await db.auditLog.count();
    for (const [limits, field, message] of cases) {
      const response = await rest("PUT", `/api-keys/${target.id}/limits`, limits);
      expect(response.status, JSON.stringify(limits)).toBe(400);
      const { error } = await response.json();
      expect(error.issues.map((i: { path: string }) => i.path)).toContain(field);
      expect(error.message).toMatch(message);
      const created = await rest("POST", "/api-keys", { name: "bad", scopes: ["models:read"], ...(limits as object) });
      expect(created.status).toBe(400);
    }
    expect(await db.apiKey.count()).toBe(keysBefore);
    expect(await db.auditLog.count()).toBe(auditBefore);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: target.id } });
    expect([row.requestsPerMinute, row.tokensPerMinute, row.budgetUsd, row.budgetPeriod]).toEqual([
      null,
      null,
      null,
      null,
    ]);

    // What the console sends for text that is not a number (superjson keeps NaN): refused, not "unlimited".
    await expect(owner().apiKeys.updateLimits({ id: target.id, tokensPerMinute: Number.NaN })).rejects.toThrow(
      /Tokens per minute must be a number/,
    );

    const ok = await rest("PUT", `/api-keys/${target.id}/limits`, { requestsPerMinute: 7 });
    expect(ok.status).toBe(200);
    expect((await ok.json()).requestsPerMinute).toBe(7);
  });

  it("may not be changed on a key with more scopes than the caller, nor by an editor", async () => {
    const powerful = await owner().apiKeys.create({ name: "powerful", scopes: ["gateway:invoke", "members:write"] });
    const keyManager = await makeApiKey(db, fixture.project.id, ["apiKeys:read", "apiKeys:write", "gateway:invoke"]);
    const asKeyManager = callerFor(db, keyManager.principal, fixture.project.id);
    await expect(asKeyManager.apiKeys.updateLimits({ id: powerful.id, requestsPerMinute: 1 })).rejects.toThrow(
      /scopes you do not hold: members:write/,
    );
    const modest = await owner().apiKeys.create({ name: "modest", scopes: ["gateway:invoke"] });
    await expect(asKeyManager.apiKeys.updateLimits({ id: modest.id, requestsPerMinute: 1 })).resolves.toMatchObject({
      requestsPerMinute: 1,
    });
    const editor = await addMember(db, fixture.project.id, "editor");
    await expect(
      callerFor(db, editor.principal, fixture.project.id).apiKeys.updateLimits({ id: modest.id, requestsPerMinute: 2 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: powerful.id } })).requestsPerMinute).toBeNull();
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: modest.id } })).requestsPerMinute).toBe(1);
  });

  it("cannot be set on a revoked or unknown key", async () => {
    const created = await owner().apiKeys.create({ name: "gone", scopes: ["gateway:invoke"] });
    await owner().apiKeys.revoke({ id: created.id });
    await expect(owner().apiKeys.updateLimits({ id: created.id, requestsPerMinute: 1 })).rejects.toThrow(/revoked/);
    await expect(
      owner().apiKeys.updateLimits({ id: "00000000-0000-4000-8000-000000000000", requestsPerMinute: 1 }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("project body-logging setting", () => {
  it("defaults to none; owners and admins change it with an audit row; editors and viewers may not", async () => {
    expect(await owner().projects.settings({})).toEqual({ requestBodyLogging: "none" });
    await expect(owner().projects.updateSettings({ requestBodyLogging: "masked" })).resolves.toEqual({
      requestBodyLogging: "masked",
    });
    const admin = await addMember(db, fixture.project.id, "admin");
    await callerFor(db, admin.principal, fixture.project.id).projects.updateSettings({ requestBodyLogging: "full" });
    const rows = await db.auditLog.findMany({
      where: { projectId: fixture.project.id, action: "project.settings" },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((r) => r.summary)).toEqual([
      { requestBodyLogging: { from: "none", to: "masked" } },
      { requestBodyLogging: { from: "masked", to: "full" } },
    ]);
    for (const role of ["editor", "viewer"] as const) {
      const member = await addMember(db, fixture.project.id, role);
      await expect(
        callerFor(db, member.principal, fixture.project.id).projects.updateSettings({ requestBodyLogging: "none" }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await owner().projects.settings({})).toEqual({ requestBodyLogging: "full" });
  });

  it("refuses an unknown value over REST with 400 naming the field", async () => {
    const before = await db.auditLog.count();
    const response = await rest("PUT", "/project/settings", { requestBodyLogging: "everything" });
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["requestBodyLogging"]);
    expect(error.message).toMatch(/none, masked or full/);
    expect(await db.auditLog.count()).toBe(before);
  });
});
