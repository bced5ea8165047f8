import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { insertEvaluator } from "./eval-rows";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("an eval run is started from the Evals page (a matrix of the demo model and two parameter sets), runs on the workers and shows its scores", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-e2e-evals-"));
  const file = path.join(dir, "greetings.jsonl");
  const rows = Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Say hello to case ${i}` },
        { role: "assistant", content: "hello" },
      ],
    }),
  );
  await writeFile(file, `${rows.join("\n")}\n`);

  await signIn(page);
  const projectId = projectIdOf(page);
  await insertEvaluator(projectId, "mentions-hello", "contains", { value: "e" });
  await page.goto(`/projects/${projectId}/datasets`);
  await page.getByRole("button", { name: "Import JSONL" }).first().click();
  const importDialog = page.getByRole("dialog", { name: "Import a dataset" });
  await importDialog.getByLabel("Dataset name").fill("eval-greetings");
  await importDialog.locator("#dataset-file").setInputFiles(file);
  await importDialog.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "eval-greetings" })).toBeVisible({ timeout: 30_000 });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Evals" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/evals$`));
  await page.getByRole("button", { name: "New eval run" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New eval run" });
  await dialog.getByLabel("Name").fill("demo temperature check");
  await dialog.getByLabel("Dataset version").selectOption({ label: "eval-greetings v1 (8 cases)" });
  await dialog.getByRole("checkbox", { name: /switchyard-demo v1/ }).check();
  // A bad parameter line is named before anything is sent.
  await dialog.getByLabel("Parameter sets").fill("temperature=0");
  await expect(dialog.getByText("Line 1 is not JSON")).toBeVisible();
  await dialog.getByLabel("Parameter sets").fill('{"max_tokens": 4}\n{"max_tokens": 8}');
  await expect(dialog.getByRole("status", { name: "Targets" })).toContainText("2 targets");
  await dialog.getByRole("checkbox", { name: /mentions-hello/ }).check();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/eval-run-new.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/eval-run-new-phone.png` });
  await page.setViewportSize({ width: 1280, height: 900 });
  await dialog.getByRole("button", { name: "Start run" }).click();
  // The run's own page (its detail view) is where the form leads.
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/evals/[0-9a-f-]{36}$`));

  await page.goto(`/projects/${projectId}/evals`);
  const list = page.getByRole("table", { name: "Eval runs" });
  await expect(list).toContainText("demo temperature check");
  await expect(list.getByText("completed")).toBeVisible({ timeout: 60_000 });
  await expect(list).toContainText("16 / 16 results");
  await expect(list).toContainText("eval-greetings v1");
  await expect(list).toContainText("switchyard-demo v1 · {max_tokens:4}");
  await expect(list).toContainText("pass ");
  await expect(list.getByRole("link", { name: "demo temperature check" })).toHaveAttribute(
    "href",
    new RegExp(`/projects/${projectId}/evals/[0-9a-f-]{36}$`),
  );
  await page.screenshot({ path: `${SHOTS}/evals-list.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/evals-list-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // The run's two targets side by side: every case paired, and each tab lists as many cases as its count says.
  const href = await list.getByRole("link", { name: "demo temperature check" }).getAttribute("href");
  const runId = href?.split("/").at(-1) ?? "";
  await page.goto(`/projects/${projectId}/evals/compare?a=${runId}:0&b=${runId}:1`);
  await expect(page.getByText("of 8 paired cases")).toBeVisible();
  await expect(page.getByTestId("overall-verdict")).toContainText("McNemar");
  const listed = page.getByRole("list", { name: "Cases" }).getByTestId(/^case-/);
  let total = 0;
  for (const change of ["Regressions", "Improvements", "Unchanged"]) {
    const tab = page.getByRole("tab", { name: new RegExp(`^${change} \\(\\d+\\)$`) });
    const count = Number(/\((\d+)\)/.exec((await tab.textContent()) ?? "")?.[1]);
    await tab.click();
    await expect(listed).toHaveCount(count);
    total += count;
  }
  expect(total).toBe(8);
});
