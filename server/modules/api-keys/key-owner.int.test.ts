/**
 * A key is only as strong as its user's current role (issue 14, item 6), and
 * expiry is checked on every use (item 7). The gateway here trusts a cached
 * key for a week, so only the change notification (removal, role change)
 * or the expiry check can explain a prompt refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scope } from "@/lib/scopes";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

let db: Db;
let url: string;
let gateway: StandaloneGateway;
let clockOffset = 0;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: new MemorySink(),
    // A week: the cache never re-reads a key here by itself (its clock jumps a day below).
    keyCacheOptions: { ttlMs: 7 * 86_400_000, clock: () => Date.now() + clockOffset },
    changesUrl: url,
  });
});
afterAll(async () => {
  await gateway?.close();
});

const rest = (key: string, method: string, path: string, body?: unknown) =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    }),
    { db, session: async () => null },
  );
const models = (key: string) =>
  fetch(`${gateway.origin}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).then((res) => res.status);

/** The gateway's status once it differs from `from`, or `from` after 5 s (the notification arrives asynchronously). */
async function statusChange(key: string, from: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const status = await models(key);
    if (status !== from || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ADMIN_KEY_SCOPES: Scope[] = ["members:read", "members:write", "apiKeys:write", "gateway:invoke"];

describe("a key is only as strong as its user's current role", () => {
  it("a removed admin's keys stop working: she cannot re-add herself or mint a key (the issue's case)", async () => {
    const { project, owner } = await makeProject(db, "Removal");
    const admin = await addMember(db, project.id, "admin");
    const asAdmin = callerFor(db, admin.principal, project.id);
    const key = (await asAdmin.apiKeys.create({ name: "admin's", scopes: ADMIN_KEY_SCOPES })).key;
    // A key minted by her key acts for her too.
    const minted = await rest(key, "POST", "/api-keys", { name: "minted", scopes: ["gateway:invoke"] });
    expect(minted.status).toBe(200);
    const mintedKey = ((await minted.json()) as { key: string }).key;
    expect(await models(key)).toBe(200);
    expect(await models(mintedKey)).toBe(200);

    await callerFor(db, owner.principal, project.id).members.remove({ userId: admin.user.id });

    const readd = await rest(key, "POST", "/members", { email: admin.user.email, role: "admin" });
    expect(readd.status).toBe(401);
    expect(await rest(key, "POST", "/api-keys", { name: "again", scopes: ["gateway:invoke"] })).toMatchObject({
      status: 401,
    });
    expect((await rest(mintedKey, "GET", "/api-keys")).status).toBe(401);
    expect(await statusChange(key, 200)).toBe(401);
    expect(await statusChange(mintedKey, 200)).toBe(401);
    expect(await db.projectMember.count({ where: { projectId: project.id, userId: admin.user.id } })).toBe(0);
    const removal = await db.auditLog.findFirstOrThrow({ where: { projectId: project.id, action: "member.remove" } });
    expect(removal.summary).toMatchObject({ revokedKeys: 2 });
  });

  it("a demotion caps the key's scopes on its next use, in REST and in the gateway", async () => {
    const { project, owner } = await makeProject(db, "Demotion");
    const admin = await addMember(db, project.id, "admin");
    const key = (
      await callerFor(db, admin.principal, project.id).apiKeys.create({ name: "k", scopes: ADMIN_KEY_SCOPES })
    ).key;
    expect(await models(key)).toBe(200);

    await callerFor(db, owner.principal, project.id).members.updateRole({ userId: admin.user.id, role: "viewer" });

    const add = await rest(key, "POST", "/members", {
      email: "friend@example.test",
      role: "admin",
      password: "pw-12345678",
    });
    expect(add.status).toBe(403);
    expect((await rest(key, "GET", "/members")).status).toBe(200); // viewers read members
    expect(await statusChange(key, 200)).toBe(403); // viewers do not call the gateway

    // Promoted again, the key gets back what it was created with, and no more.
    await callerFor(db, owner.principal, project.id).members.updateRole({ userId: admin.user.id, role: "owner" });
    expect(await statusChange(key, 403)).toBe(200);
    expect((await rest(key, "GET", "/audit")).status).toBe(403);
  });

  it("keys minted by the system act for no one and keep their own scopes", async () => {
    const { project } = await makeProject(db, "System");
    const { key, row } = await makeApiKey(db, project.id, ["gateway:invoke"]);
    expect(row.ownerUserId).toBeNull();
    expect(await models(key)).toBe(200);
  });
});

describe("expiry is checked on every use", () => {
  it("refuses an expired key on the very next gateway request though the cache holds it, and in REST", async () => {
    const { project, owner } = await makeProject(db, "Expiry");
    const created = await callerFor(db, owner.principal, project.id).apiKeys.create({
      name: "short-lived",
      scopes: ["gateway:invoke", "members:read"],
      expiresInDays: 1,
    });
    expect(await models(created.key)).toBe(200);
    expect((await rest(created.key, "GET", "/members")).status).toBe(200);

    // A day later, for the gateway's cache (its clock) and for REST (the row).
    clockOffset = 86_400_000 + 60_000;
    await db.apiKey.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await models(created.key)).toBe(401);
    const refused = await rest(created.key, "GET", "/members");
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).toContain("expired");
    clockOffset = 0;
  });
});
