/**
 * The embedded PostgreSQL's superuser password is generated on first start,
 * kept with the data and reused; a cluster made with the old fixed password
 * `postgres` gets a generated one on its next start (issue 14, item 9).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/testing/ports";
import { withClient } from "./admin";
import { embeddedPasswordFile, startEmbeddedPostgres } from "./embedded";

let parent: string;
let dataDir: string;
let port: number;
beforeAll(async () => {
  parent = mkdtempSync(path.join(tmpdir(), "switchyard-embedded-password-"));
  dataDir = path.join(parent, "postgres");
  port = await freePort();
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const urlWith = (password: string) =>
  `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
/** The SQLSTATE of signing in with this password, or "ok". */
const signIn = (password: string) =>
  withClient(urlWith(password), (client) => client.query("SELECT 1")).then(
    () => "ok",
    (error: { code?: string }) => error.code,
  );

describe("the embedded PostgreSQL's password", () => {
  it("is generated on first start, kept with the data (0600), reused, and `postgres` is refused", async () => {
    const first = await startEmbeddedPostgres({ dataDir, port, database: "app", fast: true });
    const file = embeddedPasswordFile(dataDir);
    const password = readFileSync(file, "utf8").trim();
    try {
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(new URL(first.url).password).toBe(password);
      expect(await signIn(password)).toBe("ok");
      expect(await signIn("postgres")).toBe("28P01");
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedPostgres({ dataDir, port, database: "app", fast: true });
    try {
      expect(new URL(again.url).password).toBe(password);
      expect(await signIn(password)).toBe("ok");
    } finally {
      await again.stop();
    }
  }, 120_000);

  it("moves a cluster made with the old fixed password to a generated one", async () => {
    // What an install from before looks like: the password `postgres`, and no password file.
    const before = await startEmbeddedPostgres({ dataDir, port, database: "app", fast: true });
    await withClient(before.url, (client) => client.query("ALTER ROLE postgres PASSWORD 'postgres'"));
    await before.stop();
    unlinkSync(embeddedPasswordFile(dataDir));

    const after = await startEmbeddedPostgres({ dataDir, port, database: "app", fast: true });
    try {
      const password = readFileSync(embeddedPasswordFile(dataDir), "utf8").trim();
      expect(password).not.toBe("postgres");
      expect(new URL(after.url).password).toBe(password);
      expect(await signIn(password)).toBe("ok");
      expect(await signIn("postgres")).toBe("28P01");
    } finally {
      await after.stop();
    }
  }, 120_000);
});
