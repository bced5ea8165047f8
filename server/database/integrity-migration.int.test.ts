// The integrity migration applies to a database that holds rows its new
// constraints would refuse: it repairs them as its header says, and keeps the
// renamed and retyped columns' data.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/db";
import { withClient } from "./admin";
import { defaultMigrationsDir, listMigrationNames } from "./migration-files";
import { applyMigrations } from "./migrations";

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;
const U = id(1);
const PROJECT = id(3);
const [PROMPT_A, PROMPT_B, PV_A, PV_B] = [id(10), id(11), id(12), id(13)];
const [MODEL_A, MODEL_B, MV_A, MV_B] = [id(20), id(21), id(22), id(23)];
const [DATASET, DV, JOB_OK, JOB_ORPHAN] = [id(30), id(31), id(32), id(33)];
const [KEY_USER, KEY_AUDITED, KEY_UNKNOWN] = [id(40), id(41), id(42)];
const EXPERIMENT = id(50);
const MISSING = id(99);

// Written against the schema before the migration (author_*, text lineage ids).
const BEFORE = `
INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ('${U}', 'a@example.test', 'A', 'x', now());
INSERT INTO organizations (id, name, slug) VALUES ('${id(2)}', 'o', 'o');
INSERT INTO projects (id, organization_id, name, slug) VALUES ('${PROJECT}', '${id(2)}', 'p', 'p');
INSERT INTO api_keys (id, project_id, name, prefix, secret_hash, scopes, created_by_id, budget_usd, budget_period) VALUES
  ('${KEY_USER}', '${PROJECT}', 'k1', 'sy1', 'h1', '{}', '${U}', 12.345678, 'day'),
  ('${KEY_AUDITED}', '${PROJECT}', 'k2', 'sy2', 'h2', '{}', NULL, NULL, NULL),
  ('${KEY_UNKNOWN}', '${PROJECT}', 'k3', 'sy3', 'h3', '{}', NULL, NULL, NULL);
INSERT INTO audit_log (id, project_id, actor_type, actor_label, action, target_type, target_id) VALUES
  ('${id(60)}', '${PROJECT}', 'api_key', 'syX… (ci)', 'apiKey.create', 'apiKey', '${KEY_AUDITED}');
INSERT INTO prompts (id, project_id, name, type, updated_at) VALUES
  ('${PROMPT_A}', '${PROJECT}', 'a', 'text', now()), ('${PROMPT_B}', '${PROJECT}', 'b', 'text', now());
INSERT INTO prompt_versions (id, prompt_id, version, template, author_id, author_label) VALUES
  ('${PV_A}', '${PROMPT_A}', 1, '"x"', '${U}', 'a@example.test'),
  ('${PV_B}', '${PROMPT_B}', 1, '"y"', '${MISSING}', 'gone@example.test');
INSERT INTO prompt_labels (id, prompt_id, name, version_id, updated_at) VALUES
  ('${id(14)}', '${PROMPT_A}', 'production', '${PV_A}', now()),
  ('${id(15)}', '${PROMPT_A}', 'staging', '${PV_B}', now());
INSERT INTO models (id, project_id, name, provider, task, updated_at, price_input_per_mtok, price_per_compute_second) VALUES
  ('${MODEL_A}', '${PROJECT}', 'a', 'anthropic', 'chat', now(), 0.123456, 0.00001234),
  ('${MODEL_B}', '${PROJECT}', 'b', 'anthropic', 'chat', now(), NULL, NULL);
INSERT INTO model_versions (id, model_id, version, created_by_label, dataset_version_id, fine_tune_job_id) VALUES
  ('${MV_A}', '${MODEL_A}', 1, 'a@example.test', 'not-a-uuid', '${JOB_ORPHAN}'),
  ('${MV_B}', '${MODEL_B}', 1, 'a@example.test', '${DV}', '${JOB_OK}');
INSERT INTO model_aliases (id, model_id, name, version_id, updated_at) VALUES
  ('${id(24)}', '${MODEL_A}', 'production', '${MV_A}', now()),
  ('${id(25)}', '${MODEL_A}', 'canary', '${MV_B}', now());
INSERT INTO datasets (id, project_id, name, format, updated_at) VALUES ('${DATASET}', '${PROJECT}', 'd', 'chat', now());
INSERT INTO dataset_versions (id, dataset_id, version, operation, content_hash, example_count, created_by_label) VALUES
  ('${DV}', '${DATASET}', 1, 'import', 'h', 0, 'a@example.test');
INSERT INTO fine_tune_jobs (id, project_id, base_model_version_id, dataset_version_id, result_model_version_id, created_by_label, updated_at) VALUES
  ('${JOB_OK}', '${PROJECT}', '${MV_A}', '${DV}', '${MISSING}', 'a@example.test', now()),
  ('${JOB_ORPHAN}', '${PROJECT}', '${MISSING}', '${DV}', NULL, 'syX… (ci)', now());
INSERT INTO experiments (id, project_id, name, salt, updated_at) VALUES ('${EXPERIMENT}', '${PROJECT}', 'e', 's', now());
INSERT INTO experiment_variants (id, experiment_id, key, weight, is_control, model_version_id, position) VALUES
  ('${id(51)}', '${EXPERIMENT}', 'b', 50, true, '${MV_A}', 1),
  ('${id(52)}', '${EXPERIMENT}', 'a', 50, true, '${MISSING}', 0);
INSERT INTO gateway_routes (id, project_id, name, updated_at) VALUES ('${id(70)}', '${PROJECT}', 'r', now());
INSERT INTO gateway_route_versions (id, route_id, version, source, format, config, author_id, author_label) VALUES
  ('${id(71)}', '${id(70)}', 1, '{}', 'json', '{}', '${U}', 'a@example.test');
`;

let database: TestDatabase;
let scratch: string;
beforeAll(async () => {
  const names = await listMigrationNames();
  const integrity = names.findIndex((n) => n.endsWith("_integrity"));
  expect(integrity).toBeGreaterThan(0);
  scratch = mkdtempSync(path.join(tmpdir(), "switchyard-integrity-"));
  cpSync(path.join(defaultMigrationsDir(), "migration_lock.toml"), path.join(scratch, "migration_lock.toml"));
  for (const name of names.slice(0, integrity))
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

describe("the integrity migration on existing rows", () => {
  it("renames author_* to created_by_* with the data, and fills the new creator columns", async () => {
    expect(await rows(`SELECT id, created_by_id, created_by_label FROM prompt_versions ORDER BY id`)).toEqual([
      { id: PV_A, created_by_id: U, created_by_label: "a@example.test" },
      { id: PV_B, created_by_id: null, created_by_label: "gone@example.test" },
    ]);
    expect(await rows(`SELECT created_by_id, created_by_label FROM gateway_route_versions`)).toEqual([
      { created_by_id: U, created_by_label: "a@example.test" },
    ]);
    expect(await rows(`SELECT id, created_by_label FROM api_keys ORDER BY id`)).toEqual([
      { id: KEY_USER, created_by_label: "a@example.test" },
      { id: KEY_AUDITED, created_by_label: "syX… (ci)" },
      { id: KEY_UNKNOWN, created_by_label: "unknown" },
    ]);
    expect(await rows(`SELECT created_by_id FROM dataset_versions`)).toEqual([{ created_by_id: U }]);
  });

  it("widens money to NUMERIC(18,8) without changing a value", async () => {
    expect(await rows(`SELECT budget_usd::text AS b FROM api_keys WHERE id = '${KEY_USER}'`)).toEqual([
      { b: "12.34567800" },
    ]);
    expect(
      await rows(
        `SELECT price_input_per_mtok::text AS i, price_per_compute_second::text AS s FROM models WHERE id = '${MODEL_A}'`,
      ),
    ).toEqual([{ i: "0.12345600", s: "0.00001234" }]);
    const types = await rows(
      `SELECT table_name || '.' || column_name AS c, numeric_precision AS p, numeric_scale AS s FROM information_schema.columns
       WHERE data_type = 'numeric' AND table_schema = 'public' ORDER BY 1`,
    );
    expect(types.length).toBeGreaterThan(0);
    for (const t of types) expect(t).toEqual({ c: t.c, p: 18, s: 8 });
  });

  it("deletes the job whose base version is gone (with an audit entry) and clears dangling lineage", async () => {
    expect(await rows(`SELECT id, result_model_version_id FROM fine_tune_jobs`)).toEqual([
      { id: JOB_OK, result_model_version_id: null },
    ]);
    expect(await rows(`SELECT action, actor_label, target_id FROM audit_log WHERE action = 'fineTune.delete'`)).toEqual(
      [{ action: "fineTune.delete", actor_label: "migration", target_id: JOB_ORPHAN }],
    );
    expect(await rows(`SELECT id, dataset_version_id, fine_tune_job_id FROM model_versions ORDER BY id`)).toEqual([
      { id: MV_A, dataset_version_id: null, fine_tune_job_id: null },
      { id: MV_B, dataset_version_id: DV, fine_tune_job_id: JOB_OK },
    ]);
  });

  it("keeps the first control by position and clears a variant's missing model version", async () => {
    expect(await rows(`SELECT key, is_control, model_version_id FROM experiment_variants ORDER BY position`)).toEqual([
      { key: "a", is_control: true, model_version_id: null },
      { key: "b", is_control: false, model_version_id: MV_A },
    ]);
  });

  it("removes an alias or label naming another parent's version, and logs the removal", async () => {
    expect(await rows(`SELECT name FROM model_aliases`)).toEqual([{ name: "production" }]);
    expect(await rows(`SELECT alias, from_version, to_version, actor_label FROM model_alias_events`)).toEqual([
      { alias: "canary", from_version: 1, to_version: null, actor_label: "migration" },
    ]);
    expect(await rows(`SELECT name FROM prompt_labels`)).toEqual([{ name: "production" }]);
    expect(await rows(`SELECT label, from_version, to_version, actor_label FROM prompt_label_events`)).toEqual([
      { label: "staging", from_version: 1, to_version: null, actor_label: "migration" },
    ]);
  });
});
