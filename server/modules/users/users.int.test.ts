import { describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { authenticate, bootstrapAdmin } from "@/server/modules/users/service";
import { withTestDatabase } from "@/server/testing/db";
import { makeUser } from "@/server/testing/factories";

let db: Db;

withTestDatabase((created) => {
  db = created;
});

// A first delay of a minute: no attempt in these tests outlives a delay, whatever the machine's speed.
const throttle = { accountBurst: 5, addressBurst: 20, firstDelaySeconds: 60 };
const from = (address: string) => ({ address, throttle });

describe("authenticate", () => {
  it("accepts the right password whatever the e-mail's case, and nothing else", async () => {
    const { user } = await makeUser(db, { email: "case@example.test", password: "pass-word-1" });
    expect(await authenticate({ db }, " CASE@example.test ", "pass-word-1", from("192.0.2.1"))).toEqual({
      ok: true,
      user: { id: user.id, email: user.email, name: user.name, sessionVersion: 0 },
    });
    expect(await authenticate({ db }, "case@example.test", "pass-word-2", from("192.0.2.1"))).toEqual({
      ok: false,
      retryAfterSeconds: null,
    });
    expect(await authenticate({ db }, "nobody@example.test", "pass-word-1", from("192.0.2.1"))).toEqual({
      ok: false,
      retryAfterSeconds: null,
    });
  });

  it("does not lock the owner out: 10 wrong passwords from one address delay that address only", async () => {
    await makeUser(db, { email: "owner@example.test", password: "right-password" });
    const attacker = from("198.51.100.7");
    const tries = [];
    for (let i = 0; i < 10; i++) tries.push(await authenticate({ db }, "owner@example.test", `guess-${i}`, attacker));
    // The first `accountBurst` + 1 are checked; then the attacker waits a growing delay, refused unchecked.
    expect(tries.slice(0, 6).every((t) => !t.ok && t.retryAfterSeconds === null)).toBe(true);
    expect(tries.slice(6).every((t) => !t.ok && t.retryAfterSeconds !== null && t.retryAfterSeconds >= 1)).toBe(true);
    expect(await authenticate({ db }, "owner@example.test", "right-password", attacker)).toMatchObject({
      ok: false,
      retryAfterSeconds: expect.any(Number),
    });

    // The owner, from another address, signs in at once.
    expect(await authenticate({ db }, "owner@example.test", "right-password", from("203.0.113.9"))).toMatchObject({
      ok: true,
    });
  });

  it("counts attempts sent in parallel before checking any password", async () => {
    await makeUser(db, { email: "parallel@example.test", password: "right-password" });
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        authenticate({ db }, "parallel@example.test", `guess-${i}`, from("198.51.100.8")),
      ),
    );
    // Exactly burst + 1 got to a password check, whatever the interleaving.
    expect(attempts.filter((a) => !a.ok && a.retryAfterSeconds === null)).toHaveLength(6);
  });

  it("throttles spraying 60 e-mails from one address, and not the same e-mails from elsewhere", async () => {
    const sprayer = from("2001:db8:1:2::7");
    let checked = 0;
    let throttled = 0;
    for (let i = 0; i < 60; i++) {
      // Another address in the same IPv6 /64 is the same sprayer.
      const address = i % 2 ? "2001:db8:1:2::7" : "2001:db8:1:2:ffff::1";
      const result = await authenticate({ db }, `person-${i}@example.test`, "Summer2026!", { ...sprayer, address });
      if (!result.ok && result.retryAfterSeconds !== null) throttled++;
      else checked++;
    }
    // 20 within the burst, the 21st sets the first delay, and the other 39 are refused unchecked.
    expect(checked).toBe(21);
    expect(throttled).toBe(39);
    // While the address waits, even the right password is not checked.
    await makeUser(db, { email: "elsewhere@example.test", password: "right-password" });
    expect(await authenticate({ db }, "elsewhere@example.test", "right-password", sprayer)).toMatchObject({
      ok: false,
      retryAfterSeconds: expect.any(Number),
    });
    expect(await authenticate({ db }, "elsewhere@example.test", "right-password", from("2001:db8:9::1"))).toMatchObject(
      { ok: true },
    );
  });

  it("counts only failures against an address: many people signing in from one office are not slowed", async () => {
    const office = { address: "192.0.2.200", throttle: { ...throttle, addressBurst: 3 } };
    const { user } = await makeUser(db, { email: "colleague@example.test", password: "right-password" });
    for (let i = 0; i < 6; i++)
      expect(await authenticate({ db }, user.email, "right-password", office)).toMatchObject({ ok: true });
    // Four failures (from four accounts) pass the burst of 3: the fourth is checked and starts the delay.
    for (let i = 0; i < 4; i++)
      expect(await authenticate({ db }, `nobody-${i}@example.test`, "guess", office)).toEqual({
        ok: false,
        retryAfterSeconds: null,
      });
    expect(await authenticate({ db }, user.email, "right-password", office)).toMatchObject({
      ok: false,
      retryAfterSeconds: expect.any(Number),
    });
  });
});

describe("bootstrapAdmin", () => {
  it("creates the admin with a demo organisation once, and resets the password when it changes", async () => {
    const first = await bootstrapAdmin({ db }, { email: "Admin@Example.test", password: "first-password" });
    expect(first).toMatchObject({ email: "admin@example.test", createdUser: true, createdOrganization: true });
    const again = await bootstrapAdmin({ db }, { email: "admin@example.test", password: "first-password" });
    expect(again).toMatchObject({ createdUser: false, createdOrganization: false, projectId: first.projectId });
    await bootstrapAdmin({ db }, { email: "admin@example.test", password: "second-password" });
    const admin = from("192.0.2.50");
    expect(await authenticate({ db }, "admin@example.test", "first-password", admin)).toMatchObject({ ok: false });
    // The password change ended the sessions signed in with the old one.
    expect(await authenticate({ db }, "admin@example.test", "second-password", admin)).toMatchObject({
      ok: true,
      user: { sessionVersion: 1 },
    });
    const audit = await db.auditLog.findMany({ where: { projectId: first.projectId, action: "admin.passwordReset" } });
    expect(audit).toHaveLength(1);
    expect(await db.project.count({ where: { organization: { members: { some: { userId: first.userId } } } } })).toBe(
      1,
    );
  });
});
