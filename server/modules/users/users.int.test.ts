import { describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { authenticate, bootstrapAdmin, MAX_FAILURES } from "@/server/modules/users/service";
import { withTestDatabase } from "@/server/testing/db";
import { makeUser } from "@/server/testing/factories";

let db: Db;

withTestDatabase((created) => {
  db = created;
});

describe("authenticate", () => {
  it("accepts the right password whatever the e-mail's case, and nothing else", async () => {
    const { user } = await makeUser(db, { email: "case@example.test", password: "pass-word-1" });
    expect(await authenticate({ db }, " CASE@example.test ", "pass-word-1")).toEqual({
      ok: true,
      user: { id: user.id, email: user.email, name: user.name },
    });
    expect(await authenticate({ db }, "case@example.test", "pass-word-2")).toEqual({ ok: false, lockedUntil: null });
    expect(await authenticate({ db }, "nobody@example.test", "pass-word-1")).toEqual({ ok: false, lockedUntil: null });
  });

  it("locks an e-mail after too many failures, even for the right password, and a success clears the count", async () => {
    await makeUser(db, { email: "target@example.test", password: "right-password" });
    for (let i = 1; i < MAX_FAILURES - 1; i++) await authenticate({ db }, "target@example.test", `guess-${i}`);
    expect(await authenticate({ db }, "target@example.test", "right-password")).toMatchObject({ ok: true });
    expect(await db.signInThrottle.findUnique({ where: { email: "target@example.test" } })).toBeNull();

    const attempts = await Promise.all(
      Array.from({ length: MAX_FAILURES }, (_, i) => authenticate({ db }, "target@example.test", `guess-${i}`)),
    );
    expect(attempts.filter((a) => !a.ok && a.lockedUntil).length).toBeGreaterThanOrEqual(1);
    const locked = await authenticate({ db }, "target@example.test", "right-password");
    expect(locked.ok).toBe(false);
    if (!locked.ok) expect(locked.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
  });
});

describe("bootstrapAdmin", () => {
  it("creates the admin with a demo organisation once, and resets the password when it changes", async () => {
    const first = await bootstrapAdmin({ db }, { email: "Admin@Example.test", password: "first-password" });
    expect(first).toMatchObject({ email: "admin@example.test", createdUser: true, createdOrganization: true });
    const again = await bootstrapAdmin({ db }, { email: "admin@example.test", password: "first-password" });
    expect(again).toMatchObject({ createdUser: false, createdOrganization: false, projectId: first.projectId });
    await bootstrapAdmin({ db }, { email: "admin@example.test", password: "second-password" });
    expect(await authenticate({ db }, "admin@example.test", "first-password")).toMatchObject({ ok: false });
    expect(await authenticate({ db }, "admin@example.test", "second-password")).toMatchObject({ ok: true });
    const audit = await db.auditLog.findMany({ where: { projectId: first.projectId, action: "admin.passwordReset" } });
    expect(audit).toHaveLength(1);
    expect(await db.project.count({ where: { organization: { members: { some: { userId: first.userId } } } } })).toBe(
      1,
    );
  });
});
