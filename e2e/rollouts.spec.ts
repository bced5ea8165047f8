import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { sendJson, startFakeUpstream } from "../server/modules/providers/testing/fake-upstream";
import { newProject, SHOTS, signIn } from "./helpers";

/** Serious and critical accessibility violations on the page as it is now (none expected). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * The acceptance, as a person sees it: a model's `production` alias is rolled out to a version whose upstream
 * answers 500; traffic through /v1 feeds the request log, and the analysis job (on the workers `npm start` runs)
 * rolls the rollout back by itself, with the reason on the page and the webhook delivered.
 */
test("a failing candidate is rolled back automatically, with the reason and the webhook", async ({ page, baseURL }) => {
  const hooks: unknown[] = [];
  const upstream = await startFakeUpstream((req, res) => {
    if (req.path.startsWith("/hook")) {
      hooks.push(req.body);
      return sendJson(res, 200, { ok: true });
    }
    const model = (req.body as { model: string }).model;
    if (model === "broken") return sendJson(res, 500, { error: { message: "candidate is broken" } });
    sendJson(res, 200, {
      id: "chatcmpl-e2e",
      object: "chat.completion",
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: "Hi there!" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    });
  });
  try {
    await signIn(page);
    const projectId = await newProject(page, "Rollouts e2e");
    const headers = { "x-switchyard-project": projectId };
    // biome-ignore lint/suspicious/noExplicitAny: REST answers, read field by field.
    const ok = async (response: Awaited<ReturnType<typeof page.request.post>>): Promise<any> => {
      expect(response.status(), await response.text()).toBeLessThan(300);
      return response.json();
    };
    const model = await ok(
      await page.request.post("/api/rest/models", {
        headers,
        data: { name: "canary-bot", provider: "openai-compatible", task: "chat" },
      }),
    );
    for (const upstreamModelId of ["healthy", "broken"])
      await ok(
        await page.request.post(`/api/rest/models/${model.id}/versions`, {
          headers,
          data: { endpointBaseUrl: `${upstream.origin}/v1`, upstreamModelId },
        }),
      );
    await ok(
      await page.request.put(`/api/rest/models/${model.id}/aliases/production`, { headers, data: { version: 1 } }),
    );
    const key = (
      await ok(
        await page.request.post("/api/rest/api-keys", { headers, data: { name: "app", scopes: ["gateway:invoke"] } }),
      )
    ).key as string;

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rollouts" }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/rollouts$`));
    await expect(page.getByText("No rollouts yet")).toBeVisible();
    await page.getByRole("button", { name: "New rollout" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New rollout" });
    await dialog.getByLabel("Roll out a").selectOption("model");
    await dialog.getByLabel("Model", { exact: true }).selectOption({ label: "canary-bot" });
    await expect(dialog.getByLabel("Alias")).toContainText("production (v1)");
    await dialog.getByLabel("Candidate version").selectOption({ label: "v2" });
    await dialog.getByRole("button", { name: "10 · 50 · 100" }).click();
    // Steps only go up: a mistake is named before anything is sent.
    await dialog.getByLabel("Step 2 %").fill("5");
    await expect(dialog.getByText("Step 2 must give the candidate more than step 1 (10 %)")).toBeVisible();
    await dialog.getByLabel("Step 2 %").fill("50");
    await dialog.getByLabel("Step 1 %").fill("40");
    await dialog.getByLabel("Min samples per arm").fill("5");
    await dialog.getByLabel("Webhook (optional)").fill(`${upstream.origin}/hook`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${SHOTS}/rollout-create.png` });
    await dialog.getByRole("button", { name: "Start rollout" }).click();

    await expect(page).toHaveURL(/\/rollouts\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: /canary-bot/ })).toBeVisible();
    await expect(page.getByText("running", { exact: true })).toBeVisible();

    // Traffic from 60 users: about 40 % reach the failing candidate.
    for (let i = 0; i < 60; i += 10)
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          fetch(`${baseURL}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({
              model: "canary-bot",
              user: `user-${i + j}`,
              messages: [{ role: "user", content: "hi" }],
            }),
          }).then((r) => r.arrayBuffer()),
        ),
      );

    // The analysis runs every 10 s: rolled back within a minute, the reason on the page.
    await expect(page.getByText("rolled back", { exact: true }).first()).toBeVisible({ timeout: 45_000 });
    await expect(page.getByTestId("rollout-reason")).toHaveText(
      /^error rate 1 > 0\.05 \(candidate \d+ requests, stable \d+\)$/,
    );
    await expect(page.getByRole("list", { name: "Events" })).toContainText("webhook delivered (200, attempt 1)");
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ status: "rolled_back", rollout: { label: "production" } });
    await expect(page.getByRole("table", { name: "Analysis windows" })).toContainText("error rate 1 > 0.05");
    await page.screenshot({ path: `${SHOTS}/rollout-detail.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: `${SHOTS}/rollout-detail-dark.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}/rollout-detail-phone-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: `${SHOTS}/rollout-detail-phone.png`, fullPage: true });

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("link", { name: "Rollouts" }).first().click();
    const list = page.getByRole("table", { name: "Rollouts" });
    await expect(list).toContainText("canary-bot");
    await expect(list).toContainText("v1 → v2");
    await expect(list.getByText("rolled back")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/rollouts-list.png` });
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}/rollouts-list-phone.png`, fullPage: true });
  } finally {
    await upstream.close();
  }
});
