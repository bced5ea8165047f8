import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { registerFakeModel, startFakeChat } from "./fake-chat";
import { newProject, SHOTS, signIn } from "./helpers";

/** An evaluator written straight into the app's database, so this spec stays about online evaluation. */
async function insertEvaluator(projectId: string, name: string) {
  const client = new pg.Client({
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      "INSERT INTO evaluators (id, project_id, name, updated_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id",
      [projectId, name],
    );
    await client.query(
      `INSERT INTO evaluator_versions (id, evaluator_id, version, type, config, created_by_label)
       VALUES (gen_random_uuid(), $1, 1, 'regex', '{"pattern": "\\\\w"}', 'e2e')`,
      [rows[0].id],
    );
  } finally {
    await client.end();
  }
}

async function createKey(page: Page, name: string) {
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("gateway:invoke").check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();
  return key;
}

test("a rule created in the console scores live traffic; the monitoring page shows its mean score and pass rate", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(300_000);
  await signIn(page);
  const projectId = await newProject(page, "Online evaluation e2e");
  const upstream = await startFakeChat();
  await registerFakeModel(page, projectId, "judged-model", upstream.origin);
  await insertEvaluator(projectId, "has-words");
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  const key = await createKey(page, "online-e2e");

  await page.goto(`/projects/${projectId}/monitoring/online-evals`);
  await expect(page.getByText("No rules yet")).toBeVisible();
  await page.getByRole("button", { name: "New rule" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New online evaluation rule" });
  await dialog.getByLabel("Name").fill("answers-have-words");
  await dialog.getByLabel("Evaluator").selectOption({ label: "has-words v1 (regex)" });
  await dialog.getByLabel(/Sample rate/).fill("100");
  await expect(dialog.getByText("Sample rate: 100 %")).toBeVisible();
  await dialog.getByLabel("Model (optional)").fill("judged-model");
  await dialog.getByRole("button", { name: "Create rule" }).click();
  const row = page.getByRole("row", { name: /answers-have-words/ });
  await expect(row).toContainText("has-words v1");
  await expect(row).toContainText("100 %");

  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${baseURL}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "judged-model", messages: [{ role: "user", content: `Hi ${i}` }] }),
    });
    expect(res.status).toBe(200);
  }

  await page.goto(`/projects/${projectId}/monitoring`);
  const panel = page.getByRole("region", { name: "Online evaluation" });
  // Scored in the background by eval.online jobs; the panel refreshes every 30 s, so reload until all four are in.
  await expect(async () => {
    await page.reload();
    await expect(panel.getByText("Scored requests").locator("..")).toContainText("4", { timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await expect(panel).toContainText("100.0 %");
  await expect(panel).toContainText("judged-model@1");
  await page.setViewportSize({ width: 1280, height: 860 });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/online-eval-panel-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/online-eval-panel-phone.png`, fullPage: true });
  await panel.screenshot({ path: `${SHOTS}/online-eval-panel-phone-panel.png` });

  await page.goto(`/projects/${projectId}/monitoring/online-evals`);
  await page.setViewportSize({ width: 1280, height: 860 });
  // A controlled checkbox: it turns once the server said so.
  await page.getByRole("checkbox", { name: "Disable answers-have-words" }).click();
  await expect(page.getByRole("checkbox", { name: "Enable answers-have-words" })).not.toBeChecked();
  await page.screenshot({ path: `${SHOTS}/online-eval-rules-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/online-eval-rules-phone.png`, fullPage: true });
  await page.getByRole("button", { name: "New rule" }).first().click();
  await expect(page.getByRole("dialog", { name: "New online evaluation rule" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/online-eval-create-phone.png` });
  await upstream.close();
});
