import { expect, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";

test("a schedule is created in the console with live validation, paused and resumed, and run now into its history", async ({
  page,
}) => {
  await signIn(page);
  const projectId = await newProject(page, "Schedules e2e");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Schedules" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/schedules$`));
  await expect(page.getByText("No schedules yet")).toBeVisible();

  await page.getByRole("button", { name: "New schedule" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New schedule" });
  await dialog.getByLabel("Name").fill("nightly check");
  // Mistakes are named as you type, before anything is sent.
  await dialog.getByLabel("Cron").fill("61 * * * *");
  await expect(dialog.getByText("Invalid value for minute: 61")).toBeVisible();
  await expect(dialog.getByRole("status", { name: "Next runs" })).toContainText(
    "once the cron and the time zone are valid",
  );
  await dialog.getByLabel("Cron").fill("0 9 * * *");
  await dialog.getByLabel("Time zone").fill("Mars/Olympus");
  await expect(dialog.getByText("Not a known IANA time zone")).toBeVisible();
  await dialog.getByLabel("Time zone").fill("America/New_York");
  await expect(dialog.getByRole("status", { name: "Next runs" })).toContainText("Every day at 09:00 — next:");
  await dialog.getByLabel("Action").selectOption("sleep");
  await dialog.getByLabel("Seconds to wait").fill("0");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SHOTS}/schedule-create.png` });
  await dialog.getByRole("button", { name: "Create schedule" }).click();

  // The detail page: the next run in the viewer's time and the schedule's zone.
  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "nightly check" })).toBeVisible();
  await expect(page.getByTestId("next-run")).toContainText("(America/New_York)");
  await expect(page.getByTestId("next-run")).toContainText("09:00");

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("next-run")).toHaveText("paused");
  await expect(page.getByText("paused", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("next-run")).toContainText("(America/New_York)");

  await page.getByRole("button", { name: "Run now" }).click();
  const runs = page.getByRole("table", { name: "Runs" });
  await expect(runs.getByRole("row")).toHaveCount(2);
  await expect(runs).toContainText("Run now by admin@e2e.test");
  // The job runs on the workers `npm start` runs; the history shows its state and links to it.
  await expect(runs.getByText("succeeded")).toBeVisible({ timeout: 20_000 });
  await expect(runs.getByRole("link")).toHaveAttribute("href", new RegExp(`/projects/${projectId}/jobs\\?job=`));
  await page.screenshot({ path: `${SHOTS}/schedule-detail.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/schedule-detail-phone.png`, fullPage: true });

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("link", { name: "Schedules" }).first().click();
  const list = page.getByRole("table", { name: "Schedules" });
  await expect(list).toContainText("Every day at 09:00");
  await expect(list).toContainText("0 9 * * * · America/New_York");
  await expect(list.getByText("succeeded")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/schedules-list.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/schedules-list-phone.png`, fullPage: true });
});
