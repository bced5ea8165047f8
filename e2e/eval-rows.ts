// Evaluators written straight into the e2e server's database: the evaluators' own console work is another page's;
// the eval-run spec only needs one to choose.
import { readFileSync } from "node:fs";
import pg from "pg";

export async function insertEvaluator(projectId: string, name: string, type: string, config: object = {}) {
  const client = new pg.Client({
    // The embedded server's generated password, kept with its data (server/database/embedded.ts).
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO evaluators (id, project_id, name) VALUES (gen_random_uuid(), $1, $2) RETURNING id",
      [projectId, name],
    );
    await client.query(
      `INSERT INTO evaluator_versions (id, evaluator_id, version, type, config, created_by_label)
       VALUES (gen_random_uuid(), $1, 1, $2, $3, 'e2e')`,
      [rows[0].id, type, JSON.stringify(config)],
    );
  } finally {
    await client.end();
  }
}
