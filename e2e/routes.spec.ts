import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { sendJson, startFakeUpstream } from "../server/modules/providers/testing/fake-upstream";
import { projectIdOf, SHOTS, signIn } from "./helpers";

const DEMO_REPLY = "Hello! I am a tiny demo model 🚀.";

test("a route is created in the console, bad configs are refused by line, and the gateway fails over", async ({
  page,
  baseURL,
}) => {
  // An upstream that is down: every call answers 500.
  const down = await startFakeUpstream((_req, res) => sendJson(res, 500, { error: { message: "upstream is down" } }));
  try {
    await signIn(page);
    const projectId = projectIdOf(page);
    await page.goto(`/projects/${projectId}/settings/api-keys`);
    await page.getByRole("button", { name: "Create key" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create API key" });
    await dialog.getByLabel("Name").fill("routes");
    await dialog.getByLabel("gateway:invoke").check();
    await dialog.getByLabel("models:write").check();
    await dialog.getByRole("button", { name: "Create key" }).click();
    const key = (await page.getByTestId("new-api-key").textContent())!.trim();
    await page.getByRole("button", { name: "Done" }).click();

    // Register the broken upstream over REST.
    const rest = (path: string, body: unknown) =>
      fetch(`${baseURL}/api/rest${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        expect(r.status, await r.clone().text()).toBe(200);
        return r.json();
      });
    const model = await rest("/models", { name: "broken-upstream", provider: "openai-compatible", task: "chat" });
    await rest(`/models/${model.id}/versions`, { endpointBaseUrl: `${down.origin}/v1`, upstreamModelId: "m" });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Routes" }).click();
    await expect(page).toHaveURL(/\/routes$/);
    await expect(page.getByText("No routes yet")).toBeVisible();
    await page.getByRole("button", { name: "New route" }).first().click();
    const create = page.getByRole("dialog", { name: "New route" });
    await create.getByLabel("Name").fill("support-bot");
    await create.getByRole("tab", { name: "YAML" }).click();
    const editor = create.getByLabel("Route config");
    const problems = create.getByRole("list", { name: "Config problems" });

    // A syntax error, named by line as you type.
    await editor.fill("deployments:\n  - model: broken-upstream\n  weight: [1,\n");
    await expect(problems).toContainText("Line 3, column 1");
    // Valid YAML, but a model the registry does not know: refused on save, by line, nothing created.
    await editor.fill("deployments:\n  - model: broken-upstream\n  - model: no-such-model\n");
    await expect(create.getByText("Valid")).toBeVisible();
    await create.getByRole("button", { name: "Create route" }).click();
    await expect(problems).toContainText("Line 3, column 12");
    await expect(problems).toContainText("'no-such-model' does not resolve");
    await page.screenshot({ path: `${SHOTS}/route-refused.png` });

    await editor.fill(
      [
        "deployments:",
        "  - model: broken-upstream",
        "    weight: 1",
        "  - model: switchyard-demo@production",
        "    weight: 0   # standby",
        "retries:",
        "  attempts: 1",
        "  backoffMs: 10",
        "  maxBackoffMs: 50",
        "timeoutMs: 30000",
        "cooldown:",
        "  failures: 10",
        "  seconds: 30",
        "",
      ].join("\n"),
    );
    await create.getByRole("button", { name: "Create route" }).click();
    await expect(page).toHaveURL(/\/routes\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: "support-bot" })).toBeVisible();
    await expect(page.getByRole("row", { name: /v1/ })).toContainText("active");

    // Traffic through the gateway: the broken deployment is tried twice, the standby serves.
    const client = new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      // Bypass the response cache: an earlier spec may have cached this exact request, and a hit measures nothing.
      .create(
        { model: "support-bot", messages: [{ role: "user", content: "Hi" }] },
        { headers: { "x-switchyard-cache": "bypass" } },
      )
      .withResponse();
    expect(data.choices[0].message.content).toBe(DEMO_REPLY);
    expect(response.headers.get("x-switchyard-deployment")).toBe("switchyard-demo@production");
    expect(response.headers.get("x-switchyard-attempts")).toBe("3");
    expect(down.requests).toHaveLength(2);

    await page.getByRole("tab", { name: "Health" }).click();
    const broken = page.getByRole("row", { name: /broken-upstream/ });
    await expect(broken).toContainText("2 failing");
    await expect(broken).toContainText("HTTP 500");
    const standby = page.getByRole("row", { name: /switchyard-demo@production/ });
    await expect(standby).toContainText("standby");
    await expect(standby).toContainText("healthy");
    await page.screenshot({ path: `${SHOTS}/route-health.png`, fullPage: true });

    // A second version, then a rollback from the versions table.
    await page.getByRole("tab", { name: "Edit" }).click();
    await page.getByRole("tab", { name: "YAML" }).click();
    await page.getByLabel("Route config").fill("deployments:\n  - model: switchyard-demo@production\n");
    await page.getByLabel("Commit message").fill("demo only");
    await page.getByRole("button", { name: "Save version" }).click();
    await expect(page.getByRole("row", { name: /v2/ })).toContainText("active");
    await page.getByRole("row", { name: /v1/ }).getByRole("button", { name: "Roll back to this" }).click();
    await expect(page.getByRole("row", { name: /v1/ })).toContainText("active");
    await page.getByRole("tab", { name: "Diff" }).click();
    await expect(page.getByText("- model: broken-upstream")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/route-diff.png`, fullPage: true });
    await page.getByRole("tab", { name: "Activation history" }).click();
    await expect(page.getByRole("row", { name: /v2 → v1/ })).toContainText("rollback");
    await page.screenshot({ path: `${SHOTS}/route-history.png`, fullPage: true });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Routes" }).click();
    await expect(page.getByRole("row", { name: /support-bot/ })).toContainText("broken-upstream · 1");
    await page.screenshot({ path: `${SHOTS}/routes-list.png`, fullPage: true });
  } finally {
    await down.close();
  }
});

test("the route editor's form and YAML round-trip, guards are inserted with their cost, and viewers cannot save", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/routes`);
  await page.getByRole("button", { name: "New route" }).first().click();
  const create = page.getByRole("dialog", { name: "New route" });
  await create.getByLabel("Name", { exact: true }).fill("editor-bot");

  // The starter shows the guardrail syntax as comments.
  await create.getByRole("tab", { name: "YAML" }).click();
  const yaml = create.getByLabel("Route config");
  await expect(yaml).toHaveValue(/# pipeline:\n# {3}input:/);
  await expect(yaml).toHaveValue(/# {5}regex:/);

  // Form edits show in the YAML, comments kept; a bad value is named next to its field as you type.
  await create.getByRole("tab", { name: "Form" }).click();
  const attempts = create.getByLabel("Retries per deployment");
  await expect(attempts).toHaveValue("1");
  await attempts.fill("9");
  await expect(create.getByText("Must be 5 or less")).toBeVisible();
  await attempts.fill("2");
  await expect(create.getByText("Must be 5 or less")).toHaveCount(0);
  await create.getByLabel("Strategy").selectOption("least-outstanding");
  await create.getByLabel("Insert guard").selectOption({ label: "Output regex" });
  await expect(create.getByRole("status")).toContainText("adds ~");
  const guard = create.getByTestId("guard-output-regex");
  await expect(guard).toContainText("to the first token");
  await expect(guard.getByLabel("Name", { exact: true })).toHaveValue("card-number");
  await page.screenshot({ path: `${SHOTS}/route-editor-form.png` });
  await create.getByRole("tab", { name: "YAML" }).click();
  await expect(yaml).toHaveValue(/attempts: 2 # tries per deployment after the first/);
  await expect(yaml).toHaveValue(/strategy: least-outstanding/);
  await expect(yaml).toHaveValue(
    /# Output regex: .*\n\s*# Streams hold text back.*\n\s*regex:\n\s*- name: card-number/,
  );
  await expect(yaml).toHaveValue(/# Streams hold text back until holdbackChars \(default 64\) characters are checked/);

  // YAML edits show in the form.
  await yaml.fill((await yaml.inputValue()).replace("timeoutMs: 30000", "timeoutMs: 45000"));
  await create.getByRole("tab", { name: "Form" }).click();
  await expect(create.getByLabel("Timeout per attempt (ms)")).toHaveValue("45000");

  // Broken YAML keeps the user on the YAML tab, with the line.
  await create.getByRole("tab", { name: "YAML" }).click();
  const good = await yaml.inputValue();
  await yaml.fill(`${good}oops: [1,\n`);
  await create.getByRole("tab", { name: "Form" }).click();
  await expect(create.getByRole("status")).toContainText("Fix the problems in the YAML first");
  await expect(yaml).toBeVisible();
  await expect(create.getByRole("list", { name: "Config problems" })).toContainText("Line");
  await yaml.fill(good);

  await create.getByRole("button", { name: "Create route" }).click();
  await expect(page).toHaveURL(/\/routes\/[0-9a-f-]{36}$/);
  const routeUrl = page.url();
  await page.reload();
  await page.getByRole("tab", { name: "Edit" }).click();
  await expect(page.getByLabel("Retries per deployment")).toHaveValue("2");
  await expect(page.getByLabel("Timeout per attempt (ms)")).toHaveValue("45000");
  await expect(page.getByTestId("guard-output-regex")).toBeVisible();
  await page.getByRole("tab", { name: "YAML" }).click();
  await expect(page.getByLabel("Route config")).toHaveValue(/attempts: 2 # tries per deployment after the first/);
  await page.getByRole("tab", { name: "Form" }).click();
  await page.screenshot({ path: `${SHOTS}/route-edit-form.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByLabel("Retries per deployment")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/route-edit-form-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });

  // A viewer sees the write actions disabled, with the reason.
  await page.goto(`/projects/${projectId}/settings/members`);
  await page.getByRole("button", { name: "Add member" }).click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("E-mail").fill("route-viewer@e2e.test");
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByLabel("Name (new account)").fill("Rita Viewer");
  await dialog.getByLabel("Initial password (new account)").fill("route-viewer-password");
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog).toBeHidden();
  const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const viewer = await viewerContext.newPage();
    await signIn(viewer, "route-viewer@e2e.test", "route-viewer-password");
    await viewer.goto(`/projects/${projectId}/routes`);
    const newRoute = viewer.getByRole("button", { name: "New route" }).first();
    await expect(newRoute).toBeDisabled();
    await expect(viewer.locator("span[title]", { has: newRoute })).toHaveAttribute("title", /read-only/);
    await viewer.goto(routeUrl);
    await viewer.getByRole("tab", { name: "Config" }).click();
    const save = viewer.getByRole("button", { name: "Save version" });
    await expect(save).toBeDisabled();
    await expect(viewer.locator("span[title]", { has: save })).toHaveAttribute(
      "title",
      /needs the gateway:write permission/,
    );
    await expect(viewer.getByLabel("Retries per deployment")).toHaveAttribute("readonly", "");
    await expect(viewer.getByLabel("Insert guard")).toBeDisabled();
    expect(await viewer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await viewer.screenshot({ path: `${SHOTS}/route-viewer-phone.png`, fullPage: true });
  } finally {
    await viewerContext.close();
  }
});
