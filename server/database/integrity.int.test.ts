// What the database itself refuses (migration `…_integrity`): the services never
// write these rows, so these tests write SQL directly, as a hand edit or a bug
// would, and expect the constraint by name.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTestDatabase } from "../testing/db";

let pool: pg.Pool;
withTestDatabase((_db, url) => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
});
afterAll(() => pool?.end());

const sql = (text: string, values: unknown[] = []) => pool.query(text, values);

/** Rejects with a Postgres error naming `constraint`. */
async function refused(statement: Promise<unknown>, constraint: string) {
  await expect(statement).rejects.toMatchObject({ constraint });
}

const ids = {
  user: randomUUID(),
  org: randomUUID(),
  project: randomUUID(),
  modelA: randomUUID(),
  modelB: randomUUID(),
  versionA: randomUUID(),
  versionB: randomUUID(),
  promptA: randomUUID(),
  promptB: randomUUID(),
  promptVersionA: randomUUID(),
  promptVersionB: randomUUID(),
  experiment: randomUUID(),
  dataset: randomUUID(),
  datasetVersion: randomUUID(),
  job: randomUUID(),
};

beforeAll(async () => {
  await sql(
    `INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ($1, 'owner@example.test', 'o', 'x', now())`,
    [ids.user],
  );
  await sql(`INSERT INTO organizations (id, name, slug) VALUES ($1, 'Org', 'org')`, [ids.org]);
  await sql(`INSERT INTO projects (id, organization_id, name, slug) VALUES ($1, $2, 'P', 'p')`, [ids.project, ids.org]);
  for (const [model, version, name] of [
    [ids.modelA, ids.versionA, "a"],
    [ids.modelB, ids.versionB, "b"],
  ]) {
    await sql(
      `INSERT INTO models (id, project_id, name, provider, task, updated_at) VALUES ($1, $2, $3, 'anthropic', 'chat', now())`,
      [model, ids.project, name],
    );
    await sql(
      `INSERT INTO model_versions (id, model_id, version, created_by_id, created_by_label) VALUES ($1, $2, 1, $3, 'owner@example.test')`,
      [version, model, ids.user],
    );
  }
  for (const [prompt, version, name] of [
    [ids.promptA, ids.promptVersionA, "a"],
    [ids.promptB, ids.promptVersionB, "b"],
  ]) {
    await sql(`INSERT INTO prompts (id, project_id, name, type, updated_at) VALUES ($1, $2, $3, 'text', now())`, [
      prompt,
      ids.project,
      name,
    ]);
    await sql(
      `INSERT INTO prompt_versions (id, prompt_id, version, template, created_by_label) VALUES ($1, $2, 1, '"hi"', 'someone')`,
      [version, prompt],
    );
  }
  await sql(`INSERT INTO experiments (id, project_id, name, salt, updated_at) VALUES ($1, $2, 'e', 's', now())`, [
    ids.experiment,
    ids.project,
  ]);
  await sql(`INSERT INTO datasets (id, project_id, name, format, updated_at) VALUES ($1, $2, 'd', 'chat', now())`, [
    ids.dataset,
    ids.project,
  ]);
  await sql(
    `INSERT INTO dataset_versions (id, dataset_id, version, operation, content_hash, example_count, created_by_label)
     VALUES ($1, $2, 1, 'import', 'h', 0, 'someone')`,
    [ids.datasetVersion, ids.dataset],
  );
  await sql(
    `INSERT INTO fine_tune_jobs (id, project_id, base_model_version_id, dataset_version_id, created_by_label, updated_at)
     VALUES ($1, $2, $3, $4, 'someone', now())`,
    [ids.job, ids.project, ids.versionA, ids.datasetVersion],
  );
});

const alias = (model: string, version: string, name = `alias-${randomUUID().slice(0, 6)}`) =>
  sql(`INSERT INTO model_aliases (id, model_id, name, version_id, updated_at) VALUES ($1, $2, $3, $4, now())`, [
    randomUUID(),
    model,
    name,
    version,
  ]);
const label = (prompt: string, version: string, name = `label-${randomUUID().slice(0, 6)}`) =>
  sql(`INSERT INTO prompt_labels (id, prompt_id, name, version_id, updated_at) VALUES ($1, $2, $3, $4, now())`, [
    randomUUID(),
    prompt,
    name,
    version,
  ]);
const variant = (
  experiment: string,
  key: string,
  fields: { isControl?: boolean; modelVersionId?: string | null } = {},
) =>
  sql(
    `INSERT INTO experiment_variants (id, experiment_id, key, weight, is_control, model_version_id, position)
     VALUES ($1, $2, $3, 50, $4, $5, 0)`,
    [randomUUID(), experiment, key, fields.isControl ?? false, fields.modelVersionId ?? null],
  );

describe("same-parent references", () => {
  it("refuses an alias naming another model's version, on insert and on a move", async () => {
    await refused(alias(ids.modelA, ids.versionB), "model_aliases_model_id_version_id_fkey");
    await alias(ids.modelA, ids.versionA, "production");
    await refused(
      sql(`UPDATE model_aliases SET version_id = $1 WHERE model_id = $2 AND name = 'production'`, [
        ids.versionB,
        ids.modelA,
      ]),
      "model_aliases_model_id_version_id_fkey",
    );
  });

  it("refuses a label naming another prompt's version, on insert and on a move", async () => {
    await refused(label(ids.promptA, ids.promptVersionB), "prompt_labels_prompt_id_version_id_fkey");
    await label(ids.promptA, ids.promptVersionA, "production");
    await refused(
      sql(`UPDATE prompt_labels SET version_id = $1 WHERE prompt_id = $2 AND name = 'production'`, [
        ids.promptVersionB,
        ids.promptA,
      ]),
      "prompt_labels_prompt_id_version_id_fkey",
    );
  });
});

describe("experiments", () => {
  it("refuses a second control variant in one experiment, and allows one per experiment", async () => {
    await variant(ids.experiment, "control", { isControl: true });
    await variant(ids.experiment, "treatment");
    await variant(ids.experiment, "treatment-2");
    await refused(variant(ids.experiment, "second-control", { isControl: true }), "experiment_variants_one_control");
    await refused(
      sql(`UPDATE experiment_variants SET is_control = true WHERE experiment_id = $1 AND key = 'treatment'`, [
        ids.experiment,
      ]),
      "experiment_variants_one_control",
    );

    const other = randomUUID();
    await sql(`INSERT INTO experiments (id, project_id, name, salt, updated_at) VALUES ($1, $2, 'e2', 's', now())`, [
      other,
      ids.project,
    ]);
    await variant(other, "control", { isControl: true });
  });

  it("refuses a variant whose model version does not exist, and keeps a used version from being deleted", async () => {
    await refused(
      variant(ids.experiment, "dangling", { modelVersionId: randomUUID() }),
      "experiment_variants_model_version_id_fkey",
    );
    await variant(ids.experiment, "on-b", { modelVersionId: ids.versionB });
    await refused(
      sql(`DELETE FROM model_versions WHERE id = $1`, [ids.versionB]),
      "experiment_variants_model_version_id_fkey",
    );
  });
});

describe("fine-tuning lineage", () => {
  it("refuses a job whose base or result model version does not exist", async () => {
    const job = (base: string, result: string | null) =>
      sql(
        `INSERT INTO fine_tune_jobs (id, project_id, base_model_version_id, dataset_version_id, result_model_version_id, created_by_label, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'someone', now())`,
        [randomUUID(), ids.project, base, ids.datasetVersion, result],
      );
    await refused(job(randomUUID(), null), "fine_tune_jobs_base_model_version_id_fkey");
    await refused(job(ids.versionA, randomUUID()), "fine_tune_jobs_result_model_version_id_fkey");
  });

  it("refuses a model version naming a dataset version or job that does not exist", async () => {
    const version = (fields: { datasetVersionId?: string; fineTuneJobId?: string }) =>
      sql(
        `INSERT INTO model_versions (id, model_id, version, dataset_version_id, fine_tune_job_id, created_by_label)
         VALUES ($1, $2, (SELECT max(version) + 1 FROM model_versions WHERE model_id = $2), $3, $4, 'someone')`,
        [randomUUID(), ids.modelA, fields.datasetVersionId ?? null, fields.fineTuneJobId ?? null],
      );
    await refused(version({ datasetVersionId: randomUUID() }), "model_versions_dataset_version_id_fkey");
    await refused(version({ fineTuneJobId: randomUUID() }), "model_versions_fine_tune_job_id_fkey");
  });

  it("forgets a deleted job in the lineage of the version it produced, keeping the version", async () => {
    const job = randomUUID();
    const produced = randomUUID();
    await sql(
      `INSERT INTO fine_tune_jobs (id, project_id, base_model_version_id, dataset_version_id, created_by_label, updated_at)
       VALUES ($1, $2, $3, $4, 'someone', now())`,
      [job, ids.project, ids.versionA, ids.datasetVersion],
    );
    await sql(
      `INSERT INTO model_versions (id, model_id, version, base_version_id, dataset_version_id, fine_tune_job_id, created_by_label)
       VALUES ($1, $2, 100, $3, $4, $5, 'someone')`,
      [produced, ids.modelA, ids.versionA, ids.datasetVersion, job],
    );
    await sql(`UPDATE fine_tune_jobs SET result_model_version_id = $1 WHERE id = $2`, [produced, job]);
    await sql(`DELETE FROM fine_tune_jobs WHERE id = $1`, [job]);
    const { rows } = await sql(`SELECT dataset_version_id, fine_tune_job_id FROM model_versions WHERE id = $1`, [
      produced,
    ]);
    expect(rows).toEqual([{ dataset_version_id: ids.datasetVersion, fine_tune_job_id: null }]);
  });
});

describe("creators", () => {
  it("refuses a created_by_id that is not a user, and keeps the label when the user is deleted", async () => {
    await refused(
      sql(
        `INSERT INTO model_versions (id, model_id, version, created_by_id, created_by_label)
         VALUES ($1, $2, 50, $3, 'ghost')`,
        [randomUUID(), ids.modelB, randomUUID()],
      ),
      "model_versions_created_by_id_fkey",
    );
    await sql(`DELETE FROM users WHERE id = $1`, [ids.user]);
    const { rows } = await sql(`SELECT created_by_id, created_by_label FROM model_versions WHERE id = $1`, [
      ids.versionA,
    ]);
    expect(rows).toEqual([{ created_by_id: null, created_by_label: "owner@example.test" }]);
  });
});

describe("deleting a project", () => {
  it("still removes everything under it through the new keys", async () => {
    await sql(`DELETE FROM projects WHERE id = $1`, [ids.project]);
    for (const table of [
      "models",
      "model_versions",
      "model_aliases",
      "prompts",
      "prompt_versions",
      "prompt_labels",
      "experiment_variants",
      "fine_tune_jobs",
      "dataset_versions",
    ]) {
      const { rows } = await sql(`SELECT count(*)::int AS n FROM ${table}`);
      expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
    }
  });
});
