// Creating migrations and checking that schema.prisma has none outstanding.
//
// Both diff the *migration history* against the schema: the engine replays
// every migration.sql into a throwaway shadow database and compares the
// result with schema.prisma, exactly as `prisma migrate dev` does. We chose
// this over keeping a snapshot of the schema next to the migrations because
// the history is the only thing deploys run: hand-edited SQL (functions,
// partitions, data fixes) is accounted for, a migration that no longer
// applies fails here instead of in production, and there is no second copy
// of the truth to forget to update. The price is a Postgres server to create
// the shadow database on (DATABASE_URL, or the embedded one) and ~0.3 s.
// (The wasm engine's own createMigration cannot use a shadow database at all:
// it fails with "PostgreSQL shadow DB must be provided through an external
// factory", so we diff and write the folder ourselves.)
import { readFile } from "node:fs/promises";
import { defaultMigrationsDir, defaultSchemaPath, migrationSlug, writeMigration } from "./migration-files";
import { loadMigrationList, NO_FILTER, openSchemaEngine } from "./schema-engine";

export interface SchemaChangeInput {
  /** A server where shadow databases may be created and dropped. */
  serverUrl: string;
  /** Prisma schema text; defaults to prisma/schema.prisma. */
  schema?: string;
  migrationsDir?: string;
}

/** The SQL that would bring the migration history up to the schema, or null when nothing is missing. */
export async function unmigratedChanges(input: SchemaChangeInput): Promise<string | null> {
  const schema = input.schema ?? (await readFile(defaultSchemaPath(), "utf8"));
  const migrationsDir = input.migrationsDir ?? defaultMigrationsDir();
  const session = await openSchemaEngine(input.serverUrl, { schema });
  try {
    const result = await session.engine.diff({
      from: { tag: "migrations", ...(await loadMigrationList(migrationsDir)) },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
      script: true,
      // With exitCode set the engine answers 2 when the diff is not empty.
      exitCode: true,
      filters: NO_FILTER,
    });
    return result.exitCode === 2 ? (result.stdout ?? "") : null;
  } finally {
    await session.close();
  }
}

/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with what the
 * schema adds to the history. Returns null (and writes nothing) when there is
 * no change.
 */
export async function createMigration(
  input: SchemaChangeInput & { name: string; now?: Date },
): Promise<{ name: string; sql: string } | null> {
  migrationSlug(input.name); // reject a bad name before the slow part
  const sql = await unmigratedChanges(input);
  if (sql === null) return null;
  const name = await writeMigration(input.migrationsDir ?? defaultMigrationsDir(), input.name, sql, input.now);
  return { name, sql };
}
