// The shared-examples migration on a database written the old way (every
// version a full copy of its rows): versions keep their contents, copies
// become shared rows, and import reports get errors and warnings apart.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withClient } from "@/server/database/admin";
import { defaultMigrationsDir, listMigrationNames } from "@/server/database/migration-files";
import { applyMigrations } from "@/server/database/migrations";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
const [PROJECT, DATASET, V1, V2, V3] = [id(3), id(30), id(31), id(32), id(33)];
const example = (text: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: text },
      { role: "assistant", content: "ok" },
    ],
  });
const sample = [
  { line: 1, code: "bom", message: "line 1: UTF-8 byte order mark at the start of the file (removed)" },
  { line: 2, code: "invalid_json", message: "line 2: invalid JSON: x" },
  { line: 3, code: "empty_line", message: "line 3: empty line (skipped)" },
];

// v1 imported three rows; v2 split them (a full copy plus splits); v3 masked the second.
const BEFORE = `
INSERT INTO organizations (id, name, slug) VALUES ('${id(2)}', 'o', 'o');
INSERT INTO projects (id, organization_id, name, slug) VALUES ('${PROJECT}', '${id(2)}', 'p', 'p');
INSERT INTO datasets (id, project_id, name, format, updated_at) VALUES ('${DATASET}', '${PROJECT}', 'd', 'chat', now());
INSERT INTO dataset_versions (id, dataset_id, version, parent_id, operation, content_hash, example_count, created_by_label, report) VALUES
  ('${V1}', '${DATASET}', 1, NULL, 'import', 'h1', 3, 'a', '${JSON.stringify({ issues: { lines: 5, sample, truncated: false }, decision: "ok" })}'),
  ('${V2}', '${DATASET}', 2, '${V1}', 'split', 'h1', 3, 'a', '{"split":{"train":2,"validation":1}}'),
  ('${V3}', '${DATASET}', 3, '${V2}', 'mask', 'h3', 3, 'a', '{}');
INSERT INTO dataset_examples (version_id, position, example, hash, split, tokens, search) VALUES
  ('${V1}', 0, '${example("a")}', 'ha', NULL, 10, 'a'),
  ('${V1}', 1, '${example("b@example.com")}', 'hb', NULL, 11, 'b'),
  ('${V1}', 2, '${example("c")}', 'hc', NULL, 12, 'c'),
  ('${V2}', 0, '${example("a")}', 'ha', 'train', 10, 'a'),
  ('${V2}', 1, '${example("b@example.com")}', 'hb', 'validation', 11, 'b'),
  ('${V2}', 2, '${example("c")}', 'hc', 'train', 12, 'c'),
  ('${V3}', 0, '${example("a")}', 'ha', 'train', 10, 'a'),
  ('${V3}', 1, '${example("<EMAIL_1>")}', 'hm', 'validation', 11, 'm'),
  ('${V3}', 2, '${example("c")}', 'hc', 'train', 12, 'c');
`;

let database: TestDatabase;
let scratch: string;
beforeAll(async () => {
  const names = await listMigrationNames();
  const mine = names.findIndex((n) => n.endsWith("_dataset_shared_examples"));
  expect(mine).toBeGreaterThan(0);
  scratch = mkdtempSync(path.join(tmpdir(), "switchyard-shared-examples-"));
  cpSync(path.join(defaultMigrationsDir(), "migration_lock.toml"), path.join(scratch, "migration_lock.toml"));
  for (const name of names.slice(0, mine))
    cpSync(path.join(defaultMigrationsDir(), name), path.join(scratch, name), { recursive: true });
  database = await createTestDatabase({ empty: true });
  await applyMigrations(database.url, { migrationsDir: scratch });
  await withClient(database.url, (client) => client.query(BEFORE));
  await applyMigrations(database.url);
});
afterAll(async () => {
  await database?.drop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const rows = (text: string) => withClient(database.url, async (client) => (await client.query(text)).rows);

describe("the shared-examples migration on existing rows", () => {
  it("keeps every version's contents and splits, sharing the copies", async () => {
    const contents = await rows(`
      SELECT m.version_id AS v, m.position AS p, m.split, e.example->'messages'->0->>'content' AS text, e.tokens
        FROM dataset_version_examples m
        JOIN dataset_examples e ON e.version_id = m.source_version_id AND e.position = m.source_position
       ORDER BY m.version_id, m.position`);
    expect(contents).toEqual([
      { v: V1, p: 0, split: null, text: "a", tokens: 10 },
      { v: V1, p: 1, split: null, text: "b@example.com", tokens: 11 },
      { v: V1, p: 2, split: null, text: "c", tokens: 12 },
      { v: V2, p: 0, split: "train", text: "a", tokens: 10 },
      { v: V2, p: 1, split: "validation", text: "b@example.com", tokens: 11 },
      { v: V2, p: 2, split: "train", text: "c", tokens: 12 },
      { v: V3, p: 0, split: "train", text: "a", tokens: 10 },
      { v: V3, p: 1, split: "validation", text: "<EMAIL_1>", tokens: 11 },
      { v: V3, p: 2, split: "train", text: "c", tokens: 12 },
    ]);
    expect(
      await rows(`SELECT version_id AS v, position AS p FROM dataset_examples ORDER BY version_id, position`),
    ).toEqual([
      { v: V1, p: 0 },
      { v: V1, p: 1 },
      { v: V1, p: 2 },
      { v: V3, p: 1 },
    ]);
  });

  it("splits the import report's issue sample into errors and warnings", async () => {
    const [{ issues }] = await rows(`SELECT report->'issues' AS issues FROM dataset_versions WHERE id = '${V1}'`);
    expect(issues).toEqual({
      lines: 5,
      truncated: false,
      errorSample: [sample[1]],
      warningSample: [sample[0], sample[2]],
    });
    const [{ report }] = await rows(`SELECT report FROM dataset_versions WHERE id = '${V2}'`);
    expect(report).toEqual({ split: { train: 2, validation: 1 } });
  });
});
