import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";

// One more than SWITCHYARD_DATASET_INLINE_ROWS' default (10,000): a transform of it runs as a background job.
const ROWS = 10_001;

async function shoot(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("a transform over a large version runs as a job; the dialog links to it and the version arrives", async ({
  page,
}) => {
  test.setTimeout(300_000);
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-e2e-transform-job-"));
  const file = path.join(dir, "large.jsonl");
  const line = (i: number) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Question ${i % 5000}` },
        { role: "assistant", content: `Answer ${i % 5000}` },
      ],
    });
  await writeFile(file, `${Array.from({ length: ROWS }, (_, i) => line(i)).join("\n")}\n`);

  await signIn(page);
  const projectId = await newProject(page, "Transform jobs");
  await page.goto(`/projects/${projectId}/datasets`);
  await page.getByRole("button", { name: "Import JSONL" }).first().click();
  const importDialog = page.getByRole("dialog", { name: "Import a dataset" });
  await importDialog.getByLabel("Dataset name").fill("large-tickets");
  await importDialog.locator("#dataset-file").setInputFiles(file);
  await importDialog.getByRole("button", { name: "Import" }).click();
  await expect(page.getByText(`Imported ${ROWS.toLocaleString("en-US")} examples as v1`)).toBeVisible({
    timeout: 60_000,
  });

  await page.getByRole("button", { name: "Deduplicate…" }).click();
  const dialog = page.getByRole("dialog", { name: /Remove duplicates — v1/ });
  await dialog.getByRole("button", { name: "Remove duplicates" }).click();
  const status = dialog.getByRole("status");
  await expect(status).toContainText("runs as a background job");
  const link = status.getByRole("link", { name: /^job [0-9a-f]{8}$/ });
  await expect(link).toHaveAttribute("href", new RegExp(`^/projects/${projectId}/jobs\\?job=[0-9a-f-]{36}$`));
  await expect(dialog.getByRole("button", { name: "Remove duplicates" })).toBeDisabled();
  await shoot(page, "dataset-transform-job");

  // The job writes v2 (5,000 distinct examples) in the background; the dataset shows it after a reload.
  await expect(dialog.getByRole("button", { name: "Cancel" })).toHaveCount(0);
  // The footer's Close (the corner × is named Close too).
  await dialog.getByRole("button", { name: "Close", exact: true }).last().click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("cell", { name: "dedupe" })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByText("5,000").first()).toBeVisible();
});
