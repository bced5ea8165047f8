import { expect, type Page, test } from "@playwright/test";
import { simulateExperiment } from "@/server/modules/experiments/simulation/simulate";
import { projectIdOf, SHOTS, signIn } from "./helpers";

async function phoneShot(page: Page, name: string) {
  await page.setViewportSize({ width: 390, height: 844 });
  // Nothing scrolls sideways on a phone: wide tables scroll inside their own box.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });
}

test("plan the size, run an A/B test, read honest statistics and conclude without a default winner", async ({
  page,
  request,
  baseURL,
  browser,
}) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1360, height: 860 });
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const keyDialog = page.getByRole("dialog", { name: "Create API key" });
  await keyDialog.getByLabel("Name").fill("traffic-simulator");
  await keyDialog.getByRole("button", { name: "All I have" }).click();
  await keyDialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  const headers = { authorization: `Bearer ${key}` };

  const prompt = await (
    await request.post("/api/rest/prompts", {
      headers,
      data: { name: "greeting", type: "text", template: "Hello {{ name }}." },
    })
  ).json();
  await request.post(`/api/rest/prompts/${prompt.promptId}/versions`, {
    headers,
    data: { template: "Hi {{ name }}! How can I help?" },
  });
  await request.put(`/api/rest/prompts/${prompt.promptId}/labels/production`, { headers, data: { version: 1 } });

  // Create with a planned size from the calculator: 10 % → 12 % at α 0.05, power 0.8 is 3,841 per arm.
  await page.goto(`/projects/${projectId}/experiments`);
  await page.getByRole("button", { name: "New experiment" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New experiment" });
  await dialog.getByLabel("Name", { exact: true }).fill("friendlier greeting");
  await dialog.getByLabel("Prompt", { exact: true }).selectOption({ label: "greeting" });
  await dialog.getByLabel("Prompt version of variant 1").selectOption("1");
  await dialog.getByLabel("Prompt version of variant 2").selectOption("2");
  await dialog.getByLabel("Hypothesis").fill("A friendlier greeting gets more thumbs up");
  await expect(dialog.getByTestId("planned-size-result")).toContainText("3,841 units per arm");
  await dialog.getByLabel("Power").fill("1.2");
  await expect(dialog.getByText("Power must be below 1")).toBeVisible();
  await expect(dialog.getByRole("button", { name: /^Use/ })).toBeDisabled();
  await dialog.getByLabel("Power").fill("0.8");
  await dialog.getByRole("button", { name: "Use 3,841" }).click();
  await expect(dialog.getByLabel("Planned units per arm")).toHaveValue("3841");
  await page.screenshot({ path: `${SHOTS}/experiment-create.png` });
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "friendlier greeting" })).toBeVisible();
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByText("running", { exact: true })).toBeVisible();
  const experimentId = page.url().split("/").at(-1)!;
  await expect(page.getByText("look once, at the planned size")).toBeVisible();
  await expect(page.getByText(/Peeking: the planned size is not reached/)).toBeVisible();

  const report = await simulateExperiment({
    baseUrl: baseURL!,
    apiKey: key,
    experimentId,
    units: 10_000,
    metric: "thumbs_up",
    rates: { control: 0.1, treatment: 0.14 },
    seed: 42,
  });
  expect(report.changed).toBe(0);
  expect(report.assigned.control + report.assigned.treatment).toBe(10_000);

  await page.reload();
  const row = page.getByTestId("result-thumbs_up-treatment");
  await expect(row).toContainText("better");
  // A difference of rates in percentage points; the relative change says it is relative.
  await expect(page.getByTestId("difference-thumbs_up-treatment")).toHaveText(
    /^\+\d\.\d{2} pp \[\+\d\.\d{2} pp, \+\d\.\d{2} pp\]$/,
  );
  await expect(row).toContainText("% rel.");
  await expect(page.getByTestId("adjustment-thumbs_up")).toContainText("not adjusted (1 comparison)");
  await expect(page.getByTestId("plan-progress")).toContainText("The planned size is reached");
  await page.screenshot({ path: `${SHOTS}/experiment-results.png`, fullPage: true });
  await phoneShot(page, "experiment-results");

  // Conclude: nothing is chosen for the user.
  await page.getByRole("button", { name: "Conclude" }).click();
  const conclude = page.getByRole("dialog", { name: "Conclude experiment" });
  await expect(conclude.getByLabel("Outcome")).toHaveValue("");
  await expect(conclude.getByRole("button", { name: "Conclude" })).toBeDisabled();
  // The control is not significant against itself, nor a claim: no warning for it.
  await conclude.getByLabel("Outcome").selectOption("treatment");
  await expect(conclude.getByRole("alert")).toHaveCount(0);
  const promote = conclude.getByLabel(/Promote: move 'production' of greeting to v2/);
  await expect(promote).not.toBeChecked();
  await promote.check();
  await conclude.getByRole("button", { name: "Conclude" }).click();
  await expect(page.getByTestId("decision")).toContainText("treatment won and was promoted to production (v2)");
  const production = await (await request.get("/api/rest/prompt?name=greeting", { headers })).json();
  expect(production.version).toBe(2);

  // A second experiment with no real difference, before its planned size: the dialog warns and asks.
  const flat = await (
    await request.post("/api/rest/experiments", {
      headers,
      data: {
        name: "same greeting",
        promptId: prompt.promptId,
        metrics: [{ name: "thumbs_up", kind: "rate" }],
        plannedUnitsPerArm: 5000,
        variants: [
          { key: "control", weight: 50, promptVersion: 2 },
          { key: "treatment", weight: 50, promptVersion: 1 },
        ],
      },
    })
  ).json();
  expect((await request.post(`/api/rest/experiments/${flat.id}/start`, { headers, data: {} })).status()).toBe(200);
  await simulateExperiment({
    baseUrl: baseURL!,
    apiKey: key,
    experimentId: flat.id,
    units: 1000,
    metric: "thumbs_up",
    rates: { control: 0.1, treatment: 0.1 },
    seed: 7,
  });
  await page.goto(`/projects/${projectId}/experiments/${flat.id}`);
  await expect(page.getByTestId("result-thumbs_up-treatment")).toContainText(/not significant|worse|better/);
  await page.getByRole("button", { name: "Conclude" }).click();
  const risky = page.getByRole("dialog", { name: "Conclude experiment" });
  await risky.getByLabel("Outcome").selectOption("treatment");
  const warning = risky.getByRole("alert");
  await expect(warning).toContainText("The data does not back treatment as the winner");
  await expect(warning).toContainText("planned size is not reached");
  await expect(risky.getByRole("button", { name: "Conclude" })).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/experiment-conclude-warning.png` });
  await phoneShot(page, "experiment-conclude-warning");
  await risky.getByLabel("I understand the result is not conclusive and conclude anyway").check();
  await risky.getByRole("button", { name: "Conclude" }).click();
  await expect(page.getByTestId("decision")).toContainText("Concluded despite");

  // A viewer sees the write actions, disabled, with the reason.
  await page.goto(`/projects/${projectId}/settings/members`);
  await page.getByRole("button", { name: "Add member" }).click();
  const member = page.getByRole("dialog", { name: "Add member" });
  await member.getByLabel("E-mail").fill("exp-viewer@e2e.test");
  await member.getByLabel("Role").selectOption("viewer");
  await member.getByLabel("Name (new account)").fill("Exp Viewer");
  await member.getByLabel("Initial password (new account)").fill("viewer-password");
  await member.getByRole("button", { name: "Add member" }).click();
  await expect(member).toBeHidden();
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  const viewer = await context.newPage();
  await signIn(viewer, "exp-viewer@e2e.test", "viewer-password");
  await viewer.goto(`/projects/${projectId}/experiments`);
  const create = viewer.getByRole("button", { name: "New experiment" });
  await expect(create).toBeDisabled();
  await expect(viewer.locator("span[title]", { has: create })).toHaveAttribute("title", /read-only.*experiments:write/);
  const running = await (
    await request.post("/api/rest/experiments", {
      headers,
      data: {
        name: "viewer sees",
        promptId: prompt.promptId,
        metrics: [{ name: "thumbs_up", kind: "rate" }],
        variants: [
          { key: "control", weight: 50, promptVersion: 1 },
          { key: "treatment", weight: 50, promptVersion: 2 },
        ],
      },
    })
  ).json();
  expect((await request.post(`/api/rest/experiments/${running.id}/start`, { headers, data: {} })).status()).toBe(200);
  await viewer.goto(`/projects/${projectId}/experiments/${running.id}`);
  await expect(viewer.getByRole("button", { name: "Stop" })).toBeDisabled();
  await expect(viewer.getByRole("button", { name: "Conclude" })).toBeDisabled();
  await expect(viewer.getByText(/No planned sample size: these fixed-horizon p-values/)).toBeVisible();
  await viewer.screenshot({ path: `${SHOTS}/experiment-viewer.png`, fullPage: true });
  await context.close();

  await page.goto(`/projects/${projectId}/experiments`);
  await page.screenshot({ path: `${SHOTS}/experiments-list.png`, fullPage: true });
  await phoneShot(page, "experiments-list");
});
