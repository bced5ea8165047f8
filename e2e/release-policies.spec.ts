import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("a release policy refuses moving production to an unevaluated version; an owner overrides with a reason", async ({
  page,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  const headers = { "x-switchyard-project": projectId };
  const created = await page.request.post("/api/rest/prompts", {
    headers,
    data: { name: "guarded", type: "text", template: "Answer: {{ q }}" },
  });
  expect(created.status()).toBe(200);
  const { promptId } = await created.json();
  const v2 = await page.request.post(`/api/rest/prompts/${promptId}/versions`, {
    headers,
    data: { template: "Answer briefly: {{ q }}" },
  });
  expect(v2.status()).toBe(200);
  const v1Move = await page.request.put(`/api/rest/prompts/${promptId}/labels/production`, {
    headers,
    data: { version: 1 },
  });
  expect(v1Move.status()).toBe(200);

  await page.goto(`/projects/${projectId}/prompts/${promptId}`);
  await page.getByRole("tab", { name: "Labels" }).click();
  const policy = page.getByRole("form", { name: "Set a release policy" });
  await policy.getByLabel("Max age (h)").fill("72");
  // The policy sets its own bar: the evidence run must meet it, whatever thresholds the eval itself had.
  await policy.getByRole("button", { name: "Add threshold" }).click();
  await policy.getByLabel("Metric of threshold 1").fill("exact");
  await policy.getByLabel("Statistic of threshold 1").selectOption("pass_rate");
  await policy.getByLabel("Number of threshold 1").fill("0.9");
  await expect(policy.getByTestId("threshold-preview")).toHaveText("exact pass rate at least 90.0 %");
  await policy.getByRole("button", { name: "Add threshold" }).click();
  await policy.getByLabel("Bound of threshold 2").selectOption("minAbsoluteChange");
  await policy.getByLabel("Number of threshold 2").fill("0");
  await expect(policy.getByTestId("threshold-preview").nth(1)).toHaveText(
    "overall mean no worse than the baseline required",
  );
  await page.screenshot({ path: `${SHOTS}/release-policy-thresholds.png`, fullPage: true });
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(
    page.getByText("Moving it needs a passing eval run of that exact version from the last 72 h."),
  ).toBeVisible();
  await expect(page.getByText("Its results must meet:")).toContainText(
    "exact pass rate at least 90.0 % · overall mean no worse than the baseline required",
  );
  const saved = await page.request.get(`/api/rest/release-policies?subjectType=prompt&subjectId=${promptId}`, {
    headers,
  });
  expect(saved.status()).toBe(200);
  expect((await saved.json())[0].thresholds).toEqual([
    { metric: "exact", stat: "pass_rate", threshold: 0.9, higherIsBetter: true },
    { metric: "overall", stat: "mean", minAbsoluteChange: 0, higherIsBetter: true },
  ]);

  await page.getByLabel("Label", { exact: true }).fill("production");
  await page.getByLabel("Version").selectOption("2");
  await page.getByRole("button", { name: "Move", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "is guarded by a release policy" })).toContainText(
    "version 2 of prompt 'guarded' has no passing eval run in the last 72 h",
  );
  await expect(page.getByRole("button", { name: "Override with reason" })).toBeDisabled();
  await page.getByLabel("Reason").fill("hotfix for the outage");
  await expect(page.getByRole("button", { name: "Override with reason" })).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/release-policy-refused.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/release-policy-refused-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });

  await page.getByRole("button", { name: "Override with reason" }).click();
  await expect(page.getByRole("row", { name: /Release policy overridden: hotfix for the outage/ })).toContainText(
    "v1 → v2",
  );
  await page.screenshot({ path: `${SHOTS}/release-policy-overridden.png`, fullPage: true });

  // The model page has the same section by its aliases.
  await page.goto(`/projects/${projectId}/models`);
  await page.getByRole("link", { name: "switchyard-demo" }).first().click();
  await page.getByRole("tab", { name: "Aliases & deployments" }).click();
  await page.getByRole("form", { name: "Set a release policy" }).getByRole("button", { name: "Save policy" }).click();
  await expect(
    page.getByText("Moving it needs a passing eval run of that exact version from the last 168 h."),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/release-policy-model.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/release-policy-model-phone.png`, fullPage: true });
});
