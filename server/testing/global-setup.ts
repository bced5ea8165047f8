// Vitest global setup for the `int` project: one Postgres server for the run
// and a template database migrated once, which every test file clones.
//   TEST_DATABASE_URL set -> use that server (any database on it; we only
//     create and drop databases there, so runs can share it).
//   unset -> an embedded Postgres in .switchyard/test-pg on port 54331 (SWITCHYARD_TEST_PG_PORT).
import type { TestProject } from "vitest/node";
import {
  createDatabase,
  databaseExists,
  databaseUrl,
  dropDatabase,
  listDatabases,
  renameDatabase,
} from "../database/admin";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "../database/embedded";
import { migrationsHash } from "../database/migration-files";
import { applyMigrations } from "../database/migrations";
import type { TestDatabaseContext } from "./db";

const EMBEDDED = {
  dataDir: ".switchyard/test-pg",
  port: Number(process.env.SWITCHYARD_TEST_PG_PORT ?? 54331),
  database: "postgres",
  fast: true,
};
const TEMPLATE_PREFIX = "switchyard_template_";
// Databases of killed runs are dropped once they are this old (a run can share
// the server with other runs, so younger ones may still be in use).
const ABANDONED_AFTER_S = 2 * 60 * 60;

/** Base-36 seconds: names carry their birth time so leftovers can be aged. */
const stamp = () => Math.floor(Date.now() / 1000).toString(36);

async function dropAbandoned(serverUrl: string): Promise<void> {
  const now = Date.now() / 1000;
  for (const name of await listDatabases(serverUrl, "switchyard_")) {
    const born = /^switchyard_(?:test|build)_([0-9a-z]+)_/.exec(name)?.[1];
    if (born && now - Number.parseInt(born, 36) > ABANDONED_AFTER_S) await dropDatabase(serverUrl, name);
  }
}

/**
 * The template for the current migrations, built under a temporary name and
 * renamed when complete, so a run that dies half-way never leaves a broken
 * template behind and concurrent runs never clone a half-migrated one.
 */
async function ensureTemplate(serverUrl: string): Promise<string> {
  const name = `${TEMPLATE_PREFIX}${await migrationsHash()}`;
  if (await databaseExists(serverUrl, name)) return name;
  const building = `switchyard_build_${stamp()}_${Math.random().toString(36).slice(2, 8)}`;
  await createDatabase(serverUrl, building);
  try {
    await applyMigrations(databaseUrl(serverUrl, building));
    await renameDatabase(serverUrl, building, name);
  } catch (error) {
    await dropDatabase(serverUrl, building);
    // 42P04: a concurrent run finished the same template first.
    if ((error as { code?: string }).code !== "42P04") throw error;
  }
  return name;
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgresHandle | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres(EMBEDDED);
    serverUrl = embedded.url;
  }
  try {
    await dropAbandoned(serverUrl);
    const template = await ensureTemplate(serverUrl);
    if (embedded) {
      // Our own server: templates of older migration sets only take space.
      for (const old of await listDatabases(serverUrl, TEMPLATE_PREFIX)) {
        if (old !== template) await dropDatabase(serverUrl, old);
      }
    }
    const context: TestDatabaseContext = {
      serverUrl,
      template,
      prefix: `switchyard_test_${stamp()}_${Math.random().toString(36).slice(2, 6)}_`,
    };
    project.provide("testDatabase", context);

    return async () => {
      try {
        for (const name of await listDatabases(context.serverUrl, context.prefix)) {
          await dropDatabase(context.serverUrl, name);
        }
      } finally {
        await embedded?.stop();
      }
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
