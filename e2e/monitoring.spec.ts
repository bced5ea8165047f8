import { expect, type Page, test } from "@playwright/test";
import OpenAI from "openai";
import { registerFakeModel, startFakeChat } from "./fake-chat";
import { newProject, SHOTS, signIn } from "./helpers";

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

async function noSidewaysScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
}

test("fresh traffic opens on a short range with per-minute rates, legends, a previous-period overlay and spend by key, model and user", async ({
  page,
  baseURL,
}) => {
  // Under E2E_DEV every first page visit compiles.
  test.setTimeout(420_000);
  await signIn(page);
  // A project of its own, so the totals are this test's four requests whatever other specs sent before.
  const projectId = await newProject(page, "Monitoring e2e");
  const upstream = await startFakeChat();
  await registerFakeModel(page, projectId, "spend-model", upstream.origin);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  const key = await createKey(page, "spend-e2e");

  const client = new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1`, maxRetries: 0 });
  const ask = (user: string, stream = false) =>
    stream
      ? client.chat.completions
          .create({ model: "spend-model", messages: [{ role: "user", content: "Hi" }], user, stream })
          .then(async (chunks) => {
            for await (const _ of chunks);
          })
      : client.chat.completions.create({
          model: "spend-model",
          messages: [{ role: "user", content: "Hi" }],
          user,
        });
  await ask("alice");
  await ask("alice", true);
  await ask("alice");
  await ask("bob");

  // No ?range=: the dashboard picks the shortest range that holds the traffic (it was all sent just now).
  await page.goto(`/projects/${projectId}/monitoring`);
  await expect(page.getByLabel("Time range")).toHaveValue("15m", { timeout: 60_000 });
  await expect(page.getByText("Picked from your traffic")).toBeVisible();
  const totals = page.getByTestId("monitoring-totals");
  const requests = totals.getByRole("region", { name: "Requests", exact: true }).getByTestId("stat-value");
  // Log rows are written in batches off the request path; the dashboard polls until all four are charted.
  await expect(requests).toHaveText("4", { timeout: 90_000 });

  // Rates are per minute over the active part of the window, with their unit, and not zero.
  const rate = await totals.getByText(/req\/min while active/).textContent();
  expect(Number(/([\d.,]+) req\/min/.exec(rate ?? "")?.[1]?.replace(/,/g, ""))).toBeGreaterThan(0);
  await expect(totals).toContainText(/tokens\/(min|s)/);
  await expect(totals).toContainText(/vs previous 15 minutes/);

  // Every chart names its series in a legend.
  const latency = page.getByRole("figure", { name: "Latency percentiles over time" });
  for (const name of ["p50", "p95", "p99"])
    await expect(latency.locator(".recharts-legend-item-text", { hasText: name })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Requests over time" })).toContainText("Requests");

  // The previous period overlays as its own named series, and the choice is in the URL.
  // The choice lives in the URL: the box shows it once the page has moved there.
  const overlay = page.getByLabel(/Overlay the previous 15 minutes/);
  await overlay.click();
  await expect(overlay).toBeChecked();
  await expect(page).toHaveURL(/compare=1/);
  await expect(page.getByRole("figure", { name: "Requests over time" })).toContainText("Previous period");
  await expect(latency).toContainText("p95, previous period");

  // Spend, by API key, model version and end user.
  const byKey = page.getByRole("table", { name: "Spend by api key" });
  await expect(byKey.getByRole("row", { name: /spend-e2e/ })).toContainText("4");
  await expect(page.getByRole("table", { name: "Spend by model version" })).toContainText("spend-model");
  const byUser = page.getByRole("table", { name: "Spend by user" });
  await expect(byUser.getByRole("row", { name: /alice/ })).toContainText("3");
  await expect(byUser.getByRole("row", { name: /bob/ })).toContainText("1");
  await expect(page.getByText("Project spend")).toBeVisible();

  await page.setViewportSize({ width: 1360, height: 860 });
  await page.screenshot({ path: `${SHOTS}/monitoring-dashboard-desktop.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${SHOTS}/monitoring-dashboard-desktop-dark.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(byUser).toBeVisible();
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/monitoring-dashboard-phone-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  await page.screenshot({ path: `${SHOTS}/monitoring-dashboard-phone.png`, fullPage: true });

  // An explicit range is kept in the URL and survives a reload.
  await page.setViewportSize({ width: 1360, height: 860 });
  await page.getByLabel("Time range").selectOption("6h");
  await expect(page).toHaveURL(/range=6h/);
  await page.reload();
  await expect(page.getByLabel("Time range")).toHaveValue("6h");
  await expect(page.getByText("Picked from your traffic")).toBeHidden();
  await expect(requests).toHaveText("4");
  await expect(totals).toContainText(/vs previous 6 hours/);
});
