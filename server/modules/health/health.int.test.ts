import { describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { healthResponse } from "@/server/modules/health/service";
import { withTestDatabase } from "@/server/testing/db";

let db: Db;

withTestDatabase((created) => {
  db = created;
});

describe("health", () => {
  it("reports the version, a reachable database and up-to-date migrations", async () => {
    const response = await healthResponse({ db });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", database: { ok: true }, migrations: { upToDate: true, pending: [] } });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.migrations.applied).toBeGreaterThan(0);
    expect(body.inference.devices.cpu).toBeDefined();
    expect(["auto", "cpu", "cuda", "webgpu"]).toContain(body.inference.preference);
  });

  it("answers 503 when the database cannot be reached, without leaking the URL", async () => {
    const dead = createDb("postgresql://postgres:hunter2@127.0.0.1:9/nothing");
    try {
      const response = await healthResponse({ db: dead });
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.status).toBe("down");
      expect(body.database.ok).toBe(false);
      expect(JSON.stringify(body)).not.toContain("hunter2");
    } finally {
      await dead.$disconnect();
    }
  });

  it("reports pending migrations as degraded", async () => {
    await db.$executeRawUnsafe(`DELETE FROM _prisma_migrations`);
    const body = await (await healthResponse({ db })).json();
    expect(body.status).toBe("degraded");
    expect(body.migrations.pending.length).toBeGreaterThan(0);
  });
});
