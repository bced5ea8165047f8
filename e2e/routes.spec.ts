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
