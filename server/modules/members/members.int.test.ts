import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { authenticate } from "@/server/modules/users/service";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject, makeUser } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;

withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
});

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

describe("members", () => {
  it("adds an existing account, and creates one with an initial password", async () => {
    const existing = await makeUser(db);
    const added = await owner().members.add({ email: existing.user.email.toUpperCase(), role: "editor" });
    expect(added).toMatchObject({ userId: existing.user.id, role: "editor" });

    const created = await owner().members.add({
      email: "new.person@example.test",
      role: "viewer",
      password: "s3cret-pass",
    });
    expect(created.role).toBe("viewer");
    expect(
      await authenticate({ db }, "new.person@example.test", "s3cret-pass", { address: "192.0.2.1" }),
    ).toMatchObject({ ok: true });
    expect(await authenticate({ db }, "new.person@example.test", "wrong", { address: "192.0.2.1" })).toMatchObject({
      ok: false,
    });
  });

  it("needs a password to create an account and names the field", async () => {
    await expect(owner().members.add({ email: "nobody@example.test", role: "viewer" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("initial password"),
    });
    expect(await db.user.findUnique({ where: { email: "nobody@example.test" } })).toBeNull();
  });

  it("refuses a duplicate membership", async () => {
    const u = await makeUser(db);
    await owner().members.add({ email: u.user.email, role: "viewer" });
    await expect(owner().members.add({ email: u.user.email, role: "viewer" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("lets only owners grant owner, and keeps the last owner", async () => {
    const admin = await addMember(db, fixture.project.id, "admin");
    const asAdmin = callerFor(db, admin.principal, fixture.project.id);
    const target = await addMember(db, fixture.project.id, "viewer");
    await expect(asAdmin.members.updateRole({ userId: target.user.id, role: "owner" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(asAdmin.members.remove({ userId: fixture.owner.user.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await asAdmin.members.updateRole({ userId: target.user.id, role: "editor" })).role).toBe("editor");

    await expect(owner().members.updateRole({ userId: fixture.owner.user.id, role: "admin" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("at least one owner"),
    });
    await expect(owner().members.remove({ userId: fixture.owner.user.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("removes a member, who then loses access, and audits each step", async () => {
    const gone = await addMember(db, fixture.project.id, "editor");
    await owner().members.remove({ userId: gone.user.id });
    await expect(callerFor(db, gone.principal, fixture.project.id).members.list({})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const log = await owner().audit.list({ action: "member.remove", page: 1, pageSize: 10 });
    expect(log.items.some((e) => e.targetId === gone.user.id)).toBe(true);
  });

  it("pages and filters the audit log", async () => {
    for (let i = 0; i < 5; i++) await owner().apiKeys.create({ name: `k${i}`, scopes: ["models:read"] });
    const page1 = await owner().audit.list({ action: "apiKey.create", page: 1, pageSize: 2 });
    const page2 = await owner().audit.list({ action: "apiKey.create", page: 2, pageSize: 2 });
    expect(page1.total).toBe(5);
    expect(page1.items).toHaveLength(2);
    expect(page2.items[0].createdAt.getTime()).toBeLessThanOrEqual(page1.items[1].createdAt.getTime());
    expect(new Set([...page1.items, ...page2.items].map((e) => e.id)).size).toBe(4);
    const byActor = await owner().audit.list({ actor: fixture.owner.user.email.slice(0, 8), page: 1, pageSize: 100 });
    expect(byActor.items.every((e) => e.actorLabel.includes(fixture.owner.user.email.slice(0, 8)))).toBe(true);
  });
});
