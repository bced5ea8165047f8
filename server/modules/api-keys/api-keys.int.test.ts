import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey, verifyApiKey } from "@/server/auth/api-key";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;

withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
});

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

describe("API keys", () => {
  it("returns the key once, stores only its hash, and lists it by prefix", async () => {
    const created = await owner().apiKeys.create({ name: "ci", scopes: ["models:read", "prompts:read"] });
    expect(created.key).toMatch(/^sy_[A-Za-z0-9_-]{32}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretHash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
    const listed = await owner().apiKeys.list({ includeRevoked: false });
    const entry = listed.find((k) => k.id === created.id)!;
    expect(entry.prefix).toBe(created.prefix);
    expect(entry).not.toHaveProperty("key");
    expect(entry.createdBy).toBe(fixture.owner.user.email);
  });

  it("authenticates with the key, records last use, and refuses it after revocation", async () => {
    const created = await owner().apiKeys.create({ name: "gateway", scopes: ["gateway:invoke"] });
    const principal = await verifyApiKey(db, created.key);
    expect(principal).toMatchObject({
      kind: "apiKey",
      keyId: created.id,
      projectId: fixture.project.id,
      scopes: ["gateway:invoke"],
    });
    const used = await db.apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(used.lastUsedAt).not.toBeNull();

    const revoked = await owner().apiKeys.revoke({ id: created.id });
    expect(revoked.revokedAt).not.toBeNull();
    await expect(verifyApiKey(db, created.key)).rejects.toThrow(/revoked/);
    await expect(owner().apiKeys.revoke({ id: created.id })).rejects.toThrow(/already revoked/);
    expect((await owner().apiKeys.list({ includeRevoked: false })).map((k) => k.id)).not.toContain(created.id);
    expect((await owner().apiKeys.list({ includeRevoked: true })).map((k) => k.id)).toContain(created.id);
  });

  it("refuses an expired key", async () => {
    const created = await owner().apiKeys.create({ name: "short", scopes: ["models:read"], expiresInDays: 1 });
    await db.apiKey.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(verifyApiKey(db, created.key)).rejects.toThrow(/expired/);
  });

  it("never grants more than the creator holds", async () => {
    const editor = await addMember(db, fixture.project.id, "admin");
    const asAdmin = callerFor(db, editor.principal, fixture.project.id);
    // Admins hold no owner-only scope today, so check with a key made by a key.
    const limited = await owner().apiKeys.create({ name: "limited", scopes: ["apiKeys:write", "apiKeys:read"] });
    const asKey = callerFor(db, await verifyApiKey(db, limited.key));
    await expect(asKey.apiKeys.create({ name: "escalate", scopes: ["members:write"] })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("members:write"),
    });
    const ok = await asAdmin.apiKeys.create({ name: "fine", scopes: ["models:read"] });
    expect(ok.scopes).toEqual(["models:read"]);
  });

  it("rejects bad input with the field named and writes nothing", async () => {
    const before = await db.apiKey.count();
    await expect(owner().apiKeys.create({ name: "", scopes: ["models:read"] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(owner().apiKeys.create({ name: "x", scopes: ["models:fly" as never] })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/Unknown scope/),
    });
    await expect(owner().apiKeys.revoke({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(owner().apiKeys.revoke({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await db.apiKey.count()).toBe(before);
  });

  it("records every change in the audit log with its actor", async () => {
    const created = await owner().apiKeys.create({ name: "audited", scopes: ["models:read"] });
    await owner().apiKeys.revoke({ id: created.id });
    const log = await owner().audit.list({ action: "apiKey.", page: 1, pageSize: 50 });
    const mine = log.items.filter((e) => e.targetId === created.id);
    expect(mine.map((e) => e.action).sort()).toEqual(["apiKey.create", "apiKey.revoke"]);
    expect(mine.every((e) => e.actorLabel === fixture.owner.user.email && e.actorType === "user")).toBe(true);
    expect(mine.find((e) => e.action === "apiKey.create")!.summary).toMatchObject({
      name: "audited",
      scopes: ["models:read"],
    });
  });

  it("accepts SWITCHYARD_ADMIN_API_KEY as an owner key for the first project", async () => {
    const key = "sy_env_admin_key_for_tests_0123456789";
    process.env.SWITCHYARD_ADMIN_API_KEY = key;
    try {
      const principal = await verifyApiKey(db, key);
      expect(principal.kind).toBe("apiKey");
      if (principal.kind === "apiKey") {
        expect(principal.keyId).toBeNull();
        expect(principal.scopes).toContain("members:write");
      }
    } finally {
      delete process.env.SWITCHYARD_ADMIN_API_KEY;
    }
    await expect(verifyApiKey(db, key)).rejects.toBeInstanceOf(DomainError);
  });
});
