import { expect, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";
import { insertLogRows } from "./log-rows";

/**
 * Evaluators in the console: a type's fields checked live with the shared schemas, "Try it" scoring an unsaved
 * definition, create and new version; and logged requests added to a dataset from the request explorer.
 */
test("evaluators: live validation, try it, create and version", async ({ page }) => {
  await signIn(page);
  const projectId = await newProject(page, "Evaluators e2e");
  await page.getByRole("link", { name: "Evaluators" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/evaluators$`));
  await expect(page.getByText("No evaluators yet")).toBeVisible();

  await page.getByRole("button", { name: "New evaluator" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New evaluator" });
  await dialog.getByLabel("Name").fill("mentions-paris");
  await dialog.getByLabel("Type").selectOption({ label: "Regular expression" });
  await dialog.getByLabel("Pattern").fill("(?=Paris)");
  await expect(dialog.getByText(/lookahead\/lookbehind are not supported/)).toBeVisible();
  await dialog.getByLabel("Pattern").fill("\\bParis\\b");
  await expect(dialog.getByText(/not supported/)).toHaveCount(0);

  await dialog.getByLabel("Output").fill("The capital of France is Paris.");
  await dialog.getByRole("button", { name: "Score it" }).click();
  await expect(dialog.getByText("passed", { exact: true })).toBeVisible();
  await expect(dialog.getByText('matches "/\\\\bParis\\\\b/"')).toBeVisible();
  await dialog.getByLabel("Negate").check();
  await dialog.getByRole("button", { name: "Score it" }).click();
  await expect(dialog.getByText("failed", { exact: true })).toBeVisible();
  await dialog.getByLabel("Negate").uncheck();
  await page.screenshot({ path: `${SHOTS}/evaluator-create.png`, fullPage: true });
  await dialog.getByRole("button", { name: "Create evaluator" }).click();

  const table = page.getByRole("table", { name: "Evaluators" });
  const row = table.getByRole("row", { name: /mentions-paris/ });
  await expect(row).toContainText("Regular expression");
  await expect(row).toContainText("v1");

  // A new version: the same content is refused, a change is saved.
  await row.getByRole("button", { name: "New version" }).click();
  const edit = page.getByRole("dialog", { name: "New version of mentions-paris" });
  await edit.getByRole("button", { name: "Save version" }).click();
  await expect(edit.getByText(/Nothing changed/)).toBeVisible();
  await edit.getByLabel("Threshold").fill("2");
  await expect(edit.getByText("A threshold is 0..1")).toBeVisible();
  await edit.getByLabel("Threshold").fill("");
  await edit.getByLabel("Flags").fill("i");
  await edit.getByRole("button", { name: "Save version" }).click();
  await expect(row).toContainText("v2");
  await page.screenshot({ path: `${SHOTS}/evaluators.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/evaluators-phone.png`, fullPage: true });
  await row.getByRole("button", { name: "New version" }).click();
  await page.screenshot({ path: `${SHOTS}/evaluator-version-phone.png`, fullPage: true });
});

test("logged requests become dataset examples from the explorer", async ({ page }) => {
  await signIn(page);
  const projectId = await newProject(page, "From requests e2e");
  const now = Date.now();
  await insertLogRows(projectId, [
    {
      startedAt: new Date(now - 30_000),
      requestedModel: "alpha-model",
      requestBody: { messages: [{ role: "user", content: "Capital of France?" }] },
      responseBody: { text: "Paris", finishReason: "stop" },
    },
    {
      startedAt: new Date(now - 20_000),
      requestedModel: "alpha-model",
      requestBody: { messages: [{ role: "user", content: "2 + 2?" }] },
      responseBody: { text: "4", finishReason: "stop" },
    },
    { startedAt: new Date(now - 10_000), requestedModel: "no-body-model" },
  ]);
  await page.goto(`/projects/${projectId}/monitoring/requests`);
  const table = page.getByRole("table", { name: "Requests" });
  await expect(table.locator("tbody tr")).toHaveCount(3);

  // A request without a logged body is refused by id, and nothing is written.
  await table
    .getByRole("row", { name: /no-body-model/ })
    .getByRole("checkbox")
    .check();
  await page.getByRole("button", { name: "Add to dataset…" }).click();
  let dialog = page.getByRole("dialog", { name: "Add 1 request to a dataset" });
  await dialog.getByLabel("Dataset name").fill("from-log");
  await dialog.getByRole("button", { name: "Add to dataset" }).click();
  await expect(dialog.getByText(/its body was not logged/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/explorer-add-refused.png`, fullPage: true });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: "Clear" }).click();

  for (const row of await table.getByRole("row", { name: /alpha-model/ }).all())
    await row.getByRole("checkbox").check();
  await expect(page.getByText("2 selected")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/explorer-selected.png`, fullPage: true });
  await page.getByRole("button", { name: "Add to dataset…" }).click();
  dialog = page.getByRole("dialog", { name: "Add 2 requests to a dataset" });
  await dialog.getByLabel("Dataset name").fill("from-log");
  await dialog.getByRole("button", { name: "Add to dataset" }).click();
  await expect(page).toHaveURL(/\/datasets\/[0-9a-f-]{36}/);
  await expect(page.getByRole("heading", { name: "from-log" })).toBeVisible();
  await expect(page.getByText("Capital of France?").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/dataset-from-requests.png`, fullPage: true });
});
