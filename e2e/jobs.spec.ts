import { expect, type Page, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";
import { insertBatches, insertFile, insertJobs } from "./job-rows";

/**
 * The Jobs and Batches pages over rows seeded straight into the database for a fresh project: the list and its
 * URL filters, a job's detail with its log and JSON, cancelling a queued job, retrying a failed one, and the
 * batches with their counts, files and links. Screenshots of each at desktop and phone width, light and dark.
 */
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ["light", "dark"] as const;
const INPUT = '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[]}}\n';
const OUTPUT =
  '{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":"r","body":{}},"error":null}\n';

test("jobs and batches: list, filter, detail, cancel, retry, downloads", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  const run = Date.now().toString(36);
  const projectId = await newProject(page, `Jobs ${run}`);
  const batchId = `batch_${run.padEnd(24, "0")}`;
  const doneBatchId = `batch_${run.padEnd(23, "0")}1`;
  const minute = (n: number) => new Date(Date.UTC(2026, 11, 6, 9, n, 7));
  const [failedId, queuedId] = await insertJobs(projectId, [
    {
      kind: "dataset.transform",
      state: "failed",
      subjectType: "dataset_version",
      subjectId: "8d3c1f0e-0000-4000-8000-000000000001",
      attempts: 3,
      progressDone: 1200,
      progressTotal: 5000,
      lastError: "The upstream answered 503 three times",
      worker: "worker-a:4242",
      payload: { operation: "mask", versionId: "8d3c1f0e-0000-4000-8000-000000000001" },
      logs: [
        { at: minute(1).toISOString(), level: "info", message: "Masking 5000 examples" },
        { at: minute(2).toISOString(), level: "warn", message: "Attempt 2 after a timeout" },
        { at: minute(3).toISOString(), level: "error", message: "Gave up at example 1200" },
      ],
      createdAt: minute(1),
      startedAt: minute(1),
      finishedAt: minute(3),
    },
    {
      kind: "batch",
      state: "queued",
      subjectType: "batch",
      subjectId: batchId,
      progressDone: 0,
      progressTotal: 20,
      createdAt: minute(5),
    },
    {
      kind: "schedule.prompt_over_dataset",
      state: "succeeded",
      subjectType: "schedule",
      subjectId: "5c4e2a10-0000-4000-8000-000000000002",
      attempts: 1,
      progressDone: 10,
      progressTotal: 10,
      worker: "worker-b:77",
      result: { outputFileId: "file-abc" },
      createdAt: minute(4),
      startedAt: minute(4),
      finishedAt: minute(5),
    },
  ]);
  await insertFile(projectId, `file-in${run}`.padEnd(29, "0"), "lines.jsonl", INPUT);
  await insertFile(projectId, `file-out${run}`.padEnd(29, "0"), "batch_output.jsonl", OUTPUT);
  await insertBatches(projectId, [
    {
      id: batchId,
      status: "in_progress",
      total: 20,
      completed: 5,
      failed: 1,
      jobId: queuedId,
      inputFileId: `file-in${run}`.padEnd(29, "0"),
      metadata: { team: "support" },
      createdAt: minute(5),
    },
    {
      id: doneBatchId,
      status: "completed",
      mode: "upstream",
      total: 1,
      completed: 1,
      failed: 0,
      inputFileId: `file-in${run}`.padEnd(29, "0"),
      outputFileId: `file-out${run}`.padEnd(29, "0"),
      createdAt: minute(2),
      completedAt: minute(3),
    },
  ]);

  // The list: newest first, every column a person needs to see what runs where.
  await page.goto(`/projects/${projectId}/jobs`);
  const table = page.getByRole("table", { name: "Jobs" });
  await expect(table.getByRole("row")).toHaveCount(4);
  const failedRow = table.getByRole("row").filter({ hasText: "dataset.transform" });
  await expect(failedRow).toContainText("failed");
  await expect(failedRow).toContainText("1,200 / 5,000");
  await expect(failedRow).toContainText("3 of 3");
  await expect(failedRow).toContainText("worker-a:4242");
  await expect(failedRow).toContainText("The upstream answered 503 three times");
  await expect(failedRow).toContainText("6 Dec 2026, 09:01:07");
  const queuedRow = table.getByRole("row").filter({ hasText: "queued" });
  await expect(queuedRow.getByRole("link", { name: /^batch batch_/ })).toHaveAttribute(
    "href",
    /\/batches\?batch=batch_/,
  );
  await shoot(page, "jobs");

  // Filters live in the URL.
  await page.getByRole("combobox", { name: "State" }).selectOption("failed");
  await expect(page).toHaveURL(/state=failed/);
  await expect(table.getByRole("row")).toHaveCount(2);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByLabel("Kind", { exact: true }).fill("schedule.prompt_over_dataset");
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await expect(page).toHaveURL(/kind=schedule.prompt_over_dataset/);
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText("10 / 10");

  // The detail of the failed job: log lines in order, payload, and Retry.
  await page.goto(`/projects/${projectId}/jobs?state=failed`);
  await page.getByRole("link", { name: "dataset.transform" }).click();
  await expect(page).toHaveURL(new RegExp(`job=${failedId}`));
  const dialog = page.getByRole("dialog", { name: "Job" });
  const log = dialog.getByRole("region", { name: "Log", exact: true });
  await expect(log.getByRole("listitem")).toHaveText([
    /Masking 5000 examples/,
    /WARN.*Attempt 2 after a timeout/i,
    /ERROR.*Gave up at example 1200/i,
  ]);
  await expect(dialog.getByRole("region", { name: "Payload", exact: true })).toContainText('"operation": "mask"');
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeDisabled();
  await shoot(page, "job-detail");
  await dialog.getByRole("button", { name: "Retry" }).click();
  // Queued again where a worker runs dataset.transform; a 409 naming the kind on a build without it.
  await expect(page.getByText(/The job is queued again/)).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page).not.toHaveURL(/job=/);

  // Cancel the queued job: it becomes cancelled at once (it never started).
  await page.goto(`/projects/${projectId}/jobs?job=${queuedId}`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByText("The job is cancelled")).toBeVisible();
  await expect(dialog.getByText("cancelled", { exact: true })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Retry" })).toBeEnabled();
  await page.keyboard.press("Escape");
  await expect(table.getByRole("row").filter({ hasText: "batch" }).first()).toContainText("cancelled");

  // Batches: status, mode, counts, files and links.
  await page.goto(`/projects/${projectId}/batches`);
  const batches = page.getByRole("table", { name: "Batches" });
  await expect(batches.getByRole("row")).toHaveCount(3);
  const running = batches.getByRole("row").filter({ hasText: "in progress" });
  await expect(running).toContainText("6 / 20");
  await expect(running).toContainText("1 failed");
  await expect(running).toContainText("team support");
  await expect(running.getByRole("link", { name: "Job", exact: true })).toHaveAttribute(
    "href",
    new RegExp(`job=${queuedId}`),
  );
  await expect(running.getByRole("link", { name: "Requests" })).toHaveAttribute(
    "href",
    new RegExp(`monitoring/requests\\?batch=${batchId}&from=`),
  );
  const done = batches.getByRole("row").filter({ hasText: "completed" });
  await expect(done).toContainText("upstream");
  await expect(done.getByRole("button", { name: "Cancel" })).toBeDisabled();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    done.getByRole("link", { name: /Output/ }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("batch_output.jsonl");
  const response = await page.request.get(`/api/rest/files/${`file-out${run}`.padEnd(29, "0")}/download`);
  expect(await response.text()).toBe(OUTPUT);
  await shoot(page, "batches");

  // A job's subject link opens its batch alone.
  await page.goto(`/projects/${projectId}/batches?batch=${batchId}`);
  await expect(batches.getByRole("row")).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Show all batches" })).toBeVisible();
});

/** Screenshots at each size and theme; at phone width the page itself must not scroll sideways. */
async function shoot(page: Page, name: string) {
  const url = page.url();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await expect(page.locator("html")).toHaveClass(theme === "dark" ? /dark/ : /^(?!.*dark)/);
      if (size === "phone") {
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${name} at phone width (${theme}) scrolls sideways`).toBeLessThanOrEqual(0);
      }
      await page.screenshot({ path: `${SHOTS}/jobs/${name}-${size}-${theme}.png`, fullPage: true });
    }
  }
  await page.setViewportSize(SIZES.desktop);
  await page.emulateMedia({ colorScheme: "light" });
  expect(page.url()).toBe(url);
}
