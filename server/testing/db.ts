// Databases for integration tests (*.int.test.ts). The global setup
// (global-setup.ts) migrates one template database per migrations hash; each
// test file clones it, which takes a fraction of a second instead of
// replaying every migration.
//
//   const db = await createTestDatabase();
//   afterAll(() => db.drop());
import { afterAll, beforeAll, inject } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../database/admin";
import { createDb, type Db } from "../db";

export interface TestDatabaseContext {
  /** Admin URL of the test server (databases are created and dropped on it). */
  serverUrl: string;
  /** The migrated template to clone. */
  template: string;
  /** Every database this run creates starts with it; teardown drops them all. */
  prefix: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseContext;
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let created = 0;

export function testDatabaseContext(): TestDatabaseContext {
  const context = inject("testDatabase");
  if (!context) {
    throw new Error("No test database server: name the file *.int.test.ts and run it with `vitest --project int`.");
  }
  return context;
}

/**
 * A fresh database for one test file: a clone of the migrated template, or
 * with `{ empty: true }` a database with no tables at all (for migration tests).
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { serverUrl, template, prefix } = testDatabaseContext();
  const name = `${prefix}${process.pid}_${++created}`;
  await createDatabase(serverUrl, name, options.empty ? {} : { template });
  return { url: databaseUrl(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}

/**
 * Gives the calling test file its own database for all its tests: call at the
 * top level, `withTestDatabase((db) => { ... })`. Later `beforeAll` hooks run
 * after it, so fixtures can use the client.
 */
export function withTestDatabase(onReady: (db: Db, url: string) => void | Promise<void>): void {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let client: Db | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = createDb(database.url);
    await onReady(client, database.url);
  });
  afterAll(async () => {
    await client?.$disconnect();
    await database?.drop();
  });
}
