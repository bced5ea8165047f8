import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseContext } from "../testing/db";
import { withClient } from "./admin";
import { defaultMigrationsDir, defaultSchemaPath, listMigrationNames, writeMigration } from "./migration-files";
import { applyMigrations, migrationStatus } from "./migrations";
import { createMigration, unmigratedChanges } from "./schema-changes";

const schema = readFileSync(defaultSchemaPath(), "utf8");
const withWidgets = `${schema}\nmodel Widget {\n  id   Int    @id @default(autoincrement())\n  name String\n\n  @@map("widgets")\n}\n`;

const databases: TestDatabase[] = [];
async function emptyDatabase(): Promise<string> {
  const db = await createTestDatabase({ empty: true });
  databases.push(db);
  return db.url;
}
afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

/** A scratch copy of prisma/migrations that a test may add to. */
function scratchMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-migrations-"));
  cpSync(defaultMigrationsDir(), dir, { recursive: true });
  return dir;
}

describe("the committed migrations", () => {
  it("include init and a Postgres lockfile", async () => {
    const names = await listMigrationNames();
    expect(names[0]).toMatch(/^\d{14}_init$/);
    expect(readFileSync(path.join(defaultMigrationsDir(), "migration_lock.toml"), "utf8")).toContain(
      'provider = "postgresql"',
    );
  });
});

describe("applyMigrations and migrationStatus", () => {
  let url: string;
  beforeAll(async () => {
    url = await emptyDatabase();
  });

  it("reports everything pending on a database without _prisma_migrations", async () => {
    const status = await migrationStatus(url);
    expect(status).toEqual({ applied: [], pending: await listMigrationNames(), failed: [], upToDate: false });
  });

  it("applies init to an empty database and is then up to date", async () => {
    const { applied } = await applyMigrations(url);
    expect(applied).toEqual(await listMigrationNames());
    expect(applied[0]).toMatch(/_init$/);
    const status = await migrationStatus(url);
    expect(status).toMatchObject({ applied, pending: [], failed: [], upToDate: true });
    const tables = await withClient(url, (client) =>
      client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"),
    );
    expect(tables.rows.map((row) => row.t)).toEqual(expect.arrayContaining(["users", "projects", "audit_log"]));
  });

  it("applies nothing the second time", async () => {
    expect(await applyMigrations(url)).toEqual({ applied: [] });
  });

  it("reads status through a pool as well as a URL", async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      expect((await migrationStatus(pool)).upToDate).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe("the test template", () => {
  it("is already migrated, so clones are up to date", async () => {
    const db = await createTestDatabase();
    databases.push(db);
    expect(testDatabaseContext().template).toMatch(/^switchyard_template_[0-9a-f]{12}$/);
    expect(await migrationStatus(db.url)).toMatchObject({ pending: [], failed: [], upToDate: true });
  });
});

describe("hand-written and failing migrations", () => {
  it("applies a $$ function body as one script and reports a failed migration", async () => {
    const dir = scratchMigrations();
    try {
      const url = await emptyDatabase();
      await writeMigration(
        dir,
        "add function",
        "CREATE FUNCTION add_one(i int) RETURNS int AS $$ BEGIN RETURN i + 1; END; $$ LANGUAGE plpgsql;\n",
        new Date("2999-01-01T00:00:00Z"),
      );
      const { applied } = await applyMigrations(url, { migrationsDir: dir });
      expect(applied.at(-1)).toBe("29990101000000_add_function");
      const result = await withClient(url, (client) => client.query<{ n: number }>("SELECT add_one(41) AS n"));
      expect(result.rows[0].n).toBe(42);

      await writeMigration(
        dir,
        "broken",
        "CREATE TABLE nope (id int);\nSELECT 1/0;\n",
        new Date("2999-01-02T00:00:00Z"),
      );
      await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/29990102000000_broken/);
      const status = await migrationStatus(url, { migrationsDir: dir });
      expect(status).toMatchObject({ failed: ["29990102000000_broken"], pending: [], upToDate: false });
      // One script, one implicit transaction: the failed migration left nothing behind.
      const nope = await withClient(url, (client) => client.query("SELECT to_regclass('nope') AS t"));
      expect(nope.rows[0].t).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("unmigrated schema changes", () => {
  const serverUrl = () => testDatabaseContext().serverUrl;

  it("finds none for the committed schema", async () => {
    expect(await unmigratedChanges({ serverUrl: serverUrl(), schema })).toBeNull();
  });

  it("finds a model that no migration creates", async () => {
    const sql = await unmigratedChanges({ serverUrl: serverUrl(), schema: withWidgets });
    expect(sql).toContain('CREATE TABLE "widgets"');
    expect(sql).not.toContain('"users"');
  });

  it("creates a migration for the change, then has nothing left to create", async () => {
    const dir = scratchMigrations();
    try {
      const input = { serverUrl: serverUrl(), schema: withWidgets, migrationsDir: dir };
      const created = await createMigration({ ...input, name: "Add widgets", now: new Date("2999-01-01T00:00:00Z") });
      expect(created?.name).toBe("29990101000000_add_widgets");
      expect(existsSync(path.join(dir, "29990101000000_add_widgets", "migration.sql"))).toBe(true);
      expect(await unmigratedChanges(input)).toBeNull();
      expect(await createMigration({ ...input, name: "again" })).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
