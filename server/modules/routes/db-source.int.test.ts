/**
 * The gateway's route source during a real database outage (the test
 * database refuses connections and its open ones are ended): routes it
 * loaded keep serving, whether their entry expired or was invalidated, and a
 * project it never loaded still fails. The gateway's data plane survives an
 * outage only if every per-request lookup does (keys, models, routes).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { registerUpstreamModel } from "@/server/modules/gateway/testing/fixtures";
import { testDatabaseContext, withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";
import { DbRouteSource } from "./db-source";

let db: Db;
let dbUrl: string;
withTestDatabase((created, url) => {
  db = created;
  dbUrl = url;
});

let projectId: string;
let admin: pg.Client;

beforeAll(async () => {
  const { project, owner } = await makeProject(db, "Route outage");
  projectId = project.id;
  const caller = callerFor(db, owner.principal, project.id);
  await registerUpstreamModel(caller, "model-a", "http://127.0.0.1:9");
  await caller.routes.create({ name: "support-bot", source: "deployments:\n  - model: model-a\n" });
  // From the server's admin database: a database cannot refuse the connection that alters it.
  admin = new pg.Client({ connectionString: testDatabaseContext().serverUrl });
  await admin.connect();
});
afterAll(async () => {
  await setOutage(false).catch(() => {});
  await admin?.end();
});

/** Refuses new connections to the test database and ends every other open one, or lets them in again. */
async function setOutage(down: boolean) {
  const name = new URL(dbUrl).pathname.slice(1);
  await admin.query(`ALTER DATABASE "${name}" WITH ALLOW_CONNECTIONS ${down ? "false" : "true"}`);
  if (down) await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
}

describe("DbRouteSource while Postgres does not answer", () => {
  it("serves the routes it loaded (expired or invalidated), fails a project it never loaded, and reloads after", async () => {
    const sourceDb = createDb(dbUrl);
    const expiring = new DbRouteSource(sourceDb, { ttlMs: 1 });
    const listening = new DbRouteSource(sourceDb, { connectionString: dbUrl });
    await listening.listen();
    try {
      for (const source of [expiring, listening])
        expect((await source.find(projectId, "support-bot"))?.config.deployments).toEqual([
          { model: "model-a", weight: 1 },
        ]);
      await setOutage(true);
      // What a NOTIFY or the listener's lost connection does: the entry must be read again.
      listening.invalidate();
      await new Promise((resolve) => setTimeout(resolve, 5));
      for (const source of [expiring, listening]) {
        const loads = source.loads;
        expect((await source.find(projectId, "support-bot"))?.name).toBe("support-bot");
        expect(source.loads).toBe(loads + 1); // it did ask the database
        await expect(source.find("00000000-0000-4000-8000-000000000000", "support-bot")).rejects.toThrow();
      }
      await setOutage(false);
      await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the stale entry's retry pause
      const loads = expiring.loads;
      expect((await expiring.find(projectId, "support-bot"))?.name).toBe("support-bot");
      expect(expiring.loads).toBe(loads + 1);
    } finally {
      await setOutage(false);
      await listening.close();
      await sourceDb.$disconnect();
    }
  });
});
