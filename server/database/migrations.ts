// Applying migrations with Prisma's wasm schema engine (scripts and tests
// only; the web server imports status.ts instead).
import { defaultMigrationsDir } from "./migration-files";

export { migrationStatus } from "./status";

/**
 * Applies every pending migration in prisma/migrations to the database, in
 * order, recording each in `_prisma_migrations` (what `prisma migrate deploy`
 * does). Returns the names it applied; none when already up to date.
 */
export async function applyMigrations(
  databaseUrl: string,
  options: { migrationsDir?: string } = {},
): Promise<{ applied: string[] }> {
  // Lazy: keeps the 5 MB wasm engine out of anything that only imports status.
  const { loadMigrationList, NO_FILTER, openSchemaEngine } = await import("./schema-engine");
  const migrationsList = await loadMigrationList(options.migrationsDir ?? defaultMigrationsDir());
  const session = await openSchemaEngine(databaseUrl);
  try {
    const output = await session.engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { applied: output.appliedMigrationNames };
  } finally {
    await session.close();
  }
}
