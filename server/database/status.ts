// Where a database stands against prisma/migrations.
//
// This runs inside the web server (GET /api/health), so it is plain SQL on
// `_prisma_migrations` plus a listing of prisma/migrations, and must never
// import the wasm schema engine (migrations.ts does, to apply them).
import pg from "pg";
import { defaultMigrationsDir, listMigrationNames } from "./migration-files";

export interface MigrationStatus {
  /** Finished migrations, in the order they were applied. */
  applied: string[];
  /** Migrations in prisma/migrations not yet applied (nor failed). */
  pending: string[];
  /** Started but never finished, and not rolled back: deploys stop here until resolved. */
  failed: string[];
  upToDate: boolean;
}

/** Anything with pg's promise query API: a Pool, a Client or a PoolClient. */
export interface SqlQueryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

interface MigrationRow {
  migration_name: string;
  finished: boolean;
  rolled_back: boolean;
}

async function readMigrationTable(db: SqlQueryable): Promise<MigrationRow[]> {
  // to_regclass follows search_path, as the engine does when it creates the table.
  const exists = await db.query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
  if (!(exists.rows[0] as { present: boolean }).present) return [];
  const result = await db.query(
    `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
       FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );
  return result.rows as MigrationRow[];
}

/**
 * Where `db` stands against prisma/migrations (resolved from process.cwd()).
 * A database without `_prisma_migrations` has everything pending.
 */
export async function migrationStatus(
  db: string | SqlQueryable,
  options: { migrationsDir?: string } = {},
): Promise<MigrationStatus> {
  const local = await listMigrationNames(options.migrationsDir ?? defaultMigrationsDir());
  let rows: MigrationRow[];
  if (typeof db === "string") {
    const client = new pg.Client({ connectionString: db });
    client.on("error", () => {});
    await client.connect();
    try {
      rows = await readMigrationTable(client);
    } finally {
      await client.end().catch(() => {});
    }
  } else {
    rows = await readMigrationTable(db);
  }
  // Rolled-back rows are history only (the migration may be retried later).
  const live = rows.filter((row) => !row.rolled_back);
  const applied = [...new Set(live.filter((row) => row.finished).map((row) => row.migration_name))];
  const failed = [
    ...new Set(
      live.filter((row) => !row.finished && !applied.includes(row.migration_name)).map((r) => r.migration_name),
    ),
  ];
  const pending = local.filter((name) => !applied.includes(name) && !failed.includes(name));
  return { applied, pending, failed, upToDate: pending.length === 0 && failed.length === 0 };
}
