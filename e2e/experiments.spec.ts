import { expect, test } from "@playwright/test";
import { simulateExperiment } from "@/server/modules/experiments/simulation/simulate";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("A/B test two prompt versions on 10 000 simulated units, read the statistics, promote the winner", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
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

  await page.goto(`/projects/${projectId}/experiments`);
  await page.getByRole("button", { name: "New experiment" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New experiment" });
  await dialog.getByLabel("Name", { exact: true }).fill("friendlier greeting");
  await dialog.getByLabel("Prompt", { exact: true }).selectOption({ label: "greeting" });
  await dialog.getByLabel("Prompt version of variant 1").selectOption("1");
  await dialog.getByLabel("Prompt version of variant 2").selectOption("2");
  await dialog.getByLabel("Hypothesis").fill("A friendlier greeting gets more thumbs up");
  await dialog.getByRole("button", { name: "Create draft" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "friendlier greeting" })).toBeVisible();
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByText("running", { exact: true })).toBeVisible();
  const experimentId = page.url().split("/").at(-1)!;

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
  expect(report.outside).toBe(0);
  expect(report.assigned.control + report.assigned.treatment).toBe(10_000);

  const results = await (await request.get(`/api/rest/experiments/${experimentId}/results`, { headers })).json();
  const analysis = results.metrics[0].analysis;
  expect(analysis.srm.flagged).toBe(false);
  expect(analysis.srm.pValue).toBeGreaterThan(0.001);
  expect(analysis.comparisons[0].comparison.significant).toBe(true);

  await page.reload();
  const row = page.getByTestId("result-thumbs_up-treatment");
  await expect(row).toContainText("better");
  await expect(page.getByTestId("result-thumbs_up-control")).toContainText("(control)");
  await page.screenshot({ path: `${SHOTS}/experiment-results.png`, fullPage: true });

  await page.getByRole("button", { name: "Conclude" }).click();
  const conclude = page.getByRole("dialog", { name: "Conclude experiment" });
  await conclude.getByLabel("Winner").selectOption("treatment");
  await conclude.getByRole("button", { name: "Conclude" }).click();
  await expect(page.getByText(/treatment won and was promoted to production \(v2\)/)).toBeVisible();
  const production = await (await request.get("/api/rest/prompt?name=greeting", { headers })).json();
  expect(production.version).toBe(2);
});
