// Database migrations without Prisma's native engine (it cannot be downloaded
// here): `tsx scripts/db.ts <command>`.
//   migrate        apply pending migrations to DATABASE_URL
//   create <name>  write prisma/migrations/<timestamp>_<name>/ from schema.prisma changes
//   check          exit 1 when schema.prisma has changes no migration contains (CI)
//   status         list applied, pending and failed migrations (exit 1 unless up to date, like Prisma)
// Without DATABASE_URL every command uses the embedded database `npm start`
// uses (SWITCHYARD_DATA_DIR/postgres on SWITCHYARD_PG_PORT). create/check only
// need a server to build a throwaway shadow database on; SHADOW_DATABASE_URL
// (any database on another server) picks a different one.
import path from "node:path";
import { redactUrl } from "../server/database/admin";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "../server/database/embedded";
import { applyMigrations, migrationStatus } from "../server/database/migrations";
import { createMigration, unmigratedChanges } from "../server/database/schema-changes";
import { env } from "../server/env";

process.env.CHECKPOINT_DISABLE ??= "1";

const USAGE = "usage: tsx scripts/db.ts migrate | create <name> | check | status";

let embedded: EmbeddedPostgresHandle | undefined;

async function databaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  // The same database scripts/start.ts starts (shared if the app is running).
  const postgresDir = path.resolve(env().SWITCHYARD_DATA_DIR, "postgres");
  embedded = await startEmbeddedPostgres({
    dataDir: postgresDir,
    port: env().SWITCHYARD_PG_PORT,
    database: "switchyard",
  });
  console.log(`DATABASE_URL is not set: using the embedded database in ${path.relative(process.cwd(), postgresDir)}.`);
  return embedded.url;
}

async function shadowServerUrl(): Promise<string> {
  return process.env.SHADOW_DATABASE_URL ?? (await databaseUrl());
}

async function migrate(): Promise<number> {
  const url = await databaseUrl();
  const { applied } = await applyMigrations(url);
  if (applied.length === 0) console.log(`No pending migrations: ${redactUrl(url)} is up to date.`);
  else
    console.log(
      `Applied ${applied.length} migration(s) to ${redactUrl(url)}:\n${applied.map((n) => `  ${n}`).join("\n")}`,
    );
  return 0;
}

async function create(name: string | undefined): Promise<number> {
  if (!name) {
    console.error(`A migration needs a name.\n${USAGE}`);
    return 2;
  }
  // SWITCHYARD_MIGRATION_TIME (ISO) names the folder when the clock is behind the newest migration's timestamp.
  const at = process.env.SWITCHYARD_MIGRATION_TIME;
  const created = await createMigration({
    name,
    serverUrl: await shadowServerUrl(),
    now: at ? new Date(at) : undefined,
  });
  if (!created) {
    console.error("No migration created: schema.prisma has no changes that the existing migrations lack.");
    return 1;
  }
  console.log(`Created prisma/migrations/${created.name}/migration.sql:\n\n${created.sql}`);
  console.log("Review it (hand edits are fine), then run `npm run db:migrate`.");
  return 0;
}

async function check(): Promise<number> {
  const sql = await unmigratedChanges({ serverUrl: await shadowServerUrl() });
  if (sql === null) {
    console.log("schema.prisma matches the migrations.");
    return 0;
  }
  console.error(
    "schema.prisma has changes that no migration contains. Run `npm run db:migration:create -- <name>`.\n" +
      `The missing migration would be:\n\n${sql}`,
  );
  return 1;
}

async function status(): Promise<number> {
  const url = await databaseUrl();
  const { applied, pending, failed, upToDate } = await migrationStatus(url);
  const list = (title: string, names: string[]) =>
    console.log(`${title} (${names.length})${names.map((n) => `\n  ${n}`).join("")}`);
  console.log(`Database: ${redactUrl(url)}`);
  list("Applied", applied);
  list("Pending", pending);
  list("Failed", failed);
  for (const name of failed) {
    // What `prisma migrate resolve --rolled-back` does, for when its engine is unavailable.
    console.log(
      `${name} failed and blocks further migrations. Repair the database by hand, then:\n` +
        `  UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${name}' AND finished_at IS NULL;`,
    );
  }
  console.log(upToDate ? "Up to date." : "Not up to date: run `npm run db:migrate`.");
  return upToDate ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "migrate":
      return migrate();
    case "create":
      return create(rest.join(" ").trim() || undefined);
    case "check":
      return check();
    case "status":
      return status();
    default:
      console.error(USAGE);
      return 2;
  }
}

let exitCode = 1;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await embedded?.stop();
}
process.exit(exitCode);
