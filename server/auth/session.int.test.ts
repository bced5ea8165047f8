/**
 * Sessions end server-side (issue 14, item 7): the cookie is a signed JWT, so
 * the server cannot delete it, but a cookie kept after sign-out, removal or a
 * role change no longer opens anything. Driven through Auth.js's own HTTP
 * handlers (the ones app/api/auth serves) and the REST handler, in-process.
 */

import type { Session } from "next-auth";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "@/server/auth/client-address";
import { principalOfSession } from "@/server/auth/session";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";

// Auth.js reads its secret when the config module loads: before the imports.
vi.hoisted(() => {
  process.env.AUTH_SECRET = "session-test-secret-0123456789abcdef-0123";
});

let db: Db;
let handlers: typeof import("@/server/auth/config").handlers;
withTestDatabase((created, url) => {
  db = created;
  // The app's Auth.js reads the process's database (db()), created on first use.
  process.env.DATABASE_URL = url;
});
beforeAll(async () => {
  ({ handlers } = await import("@/server/auth/config"));
});

const AUTH = "http://localhost:3999/api/auth";
const PASSWORD = "correct horse"; // the factories' password
const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]);
const nameOf = (cookie: string) => cookie.split("=")[0];

/** A browser's cookie jar, reduced to what Auth.js needs. */
class Browser {
  jar = new Map<string, string>();
  constructor(readonly address = "192.0.2.10") {}
  get cookie() {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  take(res: Response) {
    for (const c of cookiesOf(res)) this.jar.set(nameOf(c), c.slice(nameOf(c).length + 1));
    return res;
  }
  async csrf(): Promise<string> {
    const res = this.take(await handlers.GET(this.request("/csrf")));
    return ((await res.json()) as { csrfToken: string }).csrfToken;
  }
  request(path: string, form?: Record<string, string>) {
    // As the HTTP server stamps it (server/http-server.ts).
    const headers: Record<string, string> = { cookie: this.cookie, [CLIENT_ADDRESS_HEADER]: this.address };
    if (!form) return new Request(`${AUTH}${path}`, { headers }) as never;
    headers["content-type"] = "application/x-www-form-urlencoded";
    return new Request(`${AUTH}${path}`, { method: "POST", headers, body: new URLSearchParams(form) }) as never;
  }
  async signIn(email: string, password = PASSWORD) {
    const csrfToken = await this.csrf();
    return this.take(await handlers.POST(this.request("/callback/credentials", { csrfToken, email, password })));
  }
  async signOut() {
    const csrfToken = await this.csrf();
    return this.take(await handlers.POST(this.request("/signout", { csrfToken })));
  }
  get sessionCookie() {
    return [...this.jar].filter(([name]) => name.includes("session-token")).map(([n, v]) => `${n}=${v}`)[0] ?? "";
  }
}

/** What `auth()` answers for this cookie: Auth.js's session endpoint, the same code path. */
async function sessionOf(cookie: string): Promise<Session | null> {
  const res = await handlers.GET(new Request(`${AUTH}/session`, { headers: { cookie } }) as never);
  return (await res.json()) as Session | null;
}

/** The REST API, with the session resolved from this cookie. */
const restWith = (cookie: string, projectId: string, path = "/members") =>
  handleRest(
    new Request(`http://localhost/api/rest${path}`, { headers: { cookie, "x-switchyard-project": projectId } }),
    {
      db,
      session: async () => principalOfSession(await sessionOf(cookie)),
    },
  );

describe("sessions end server-side", () => {
  it("a cookie kept after sign-out is refused (401), though its signature and expiry are still good", async () => {
    const { project, owner } = await makeProject(db, "Sign-out");
    const browser = new Browser();
    await browser.signIn(owner.user.email);
    const stolen = browser.sessionCookie;
    expect(stolen).not.toBe("");
    expect((await sessionOf(stolen))?.user).toMatchObject({ id: owner.user.id, email: owner.user.email });
    expect((await restWith(stolen, project.id)).status).toBe(200);

    await browser.signOut();
    expect(await sessionOf(stolen)).toBeNull();
    expect((await restWith(stolen, project.id)).status).toBe(401);

    // Signing in again gives a working session.
    await browser.signIn(owner.user.email);
    expect((await restWith(browser.sessionCookie, project.id)).status).toBe(200);
  });

  it("removal from a project and a role change end the member's sessions", async () => {
    const { project, owner } = await makeProject(db, "Removal");
    const asOwner = callerFor(db, owner.principal, project.id);
    const member = await addMember(db, project.id, "editor");
    const browser = new Browser();

    await browser.signIn(member.user.email);
    const beforeRoleChange = browser.sessionCookie;
    expect((await restWith(beforeRoleChange, project.id)).status).toBe(200);
    await asOwner.members.updateRole({ userId: member.user.id, role: "viewer" });
    expect(await sessionOf(beforeRoleChange)).toBeNull();
    expect((await restWith(beforeRoleChange, project.id)).status).toBe(401);

    await browser.signIn(member.user.email);
    const beforeRemoval = browser.sessionCookie;
    expect((await restWith(beforeRemoval, project.id)).status).toBe(200);
    await asOwner.members.remove({ userId: member.user.id });
    expect(await sessionOf(beforeRemoval)).toBeNull();
    expect((await restWith(beforeRemoval, project.id)).status).toBe(401);
  });

  it("sign-in attempts are throttled by the address the HTTP server stamped", async () => {
    const { owner } = await makeProject(db, "Throttle");
    await new Browser("198.51.100.77").signIn(owner.user.email, "wrong password");
    const buckets = await db.signInThrottle.findMany({ where: { key: { contains: "198.51.100.77" } } });
    expect(buckets.map((b) => b.key).sort()).toEqual([
      `account:${owner.user.email}|198.51.100.77`,
      "address:198.51.100.77",
    ]);
  });
});
