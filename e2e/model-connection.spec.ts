import { expect, test } from "@playwright/test";
import { closedPort, sendJson, startFakeUpstream } from "../server/modules/providers/testing/fake-upstream";
import { SHOTS, signIn } from "./helpers";

test("Test connection says reachable, key refused or unreachable before and after registering an upstream", async ({
  page,
}) => {
  const upstream = await startFakeUpstream((req, res) => {
    if (req.headers.authorization !== "Bearer good-key")
      return sendJson(res, 401, { error: { message: "invalid api key" } });
    sendJson(res, 200, {
      id: "c1",
      object: "chat.completion",
      model: "served-model",
      choices: [{ index: 0, message: { role: "assistant", content: "p" }, finish_reason: "length" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  });
  const nowhere = await closedPort();
  try {
    await signIn(page);
    await page.getByRole("button", { name: "Register model" }).first().click();
    const register = page.getByRole("dialog", { name: "Register model" });
    await register.getByLabel("Name").fill("vendor-chat");
    await register.getByRole("button", { name: "Register" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "vendor-chat" })).toBeVisible();

    await page.getByRole("button", { name: "New version" }).first().click();
    const form = page.getByRole("dialog", { name: "New version of vendor-chat" });
    const result = form.getByTestId("connection-result");
    await form.getByLabel("Endpoint base URL").fill(`http://127.0.0.1:${nowhere}/v1`);
    await form.getByLabel("Upstream model id").fill("served-model");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(result).toContainText("Unreachable");

    await form.getByLabel("Endpoint base URL").fill(`${upstream.origin}/v1`);
    await form.getByLabel("API key").fill("bad-key");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(result).toContainText("refused the API key (HTTP 401)");

    await form.getByLabel("API key").fill("good-key");
    await form.getByRole("button", { name: "Test connection" }).click();
    await expect(result).toContainText(/Reachable: served-model answered in \d+ ms/);
    await page.screenshot({ path: `${SHOTS}/model-test-connection.png`, fullPage: true });
    // Testing wrote nothing: the model still has no version until the form is sent.
    await expect(page.getByText("Versions (0)")).toBeVisible();
    await form.getByRole("button", { name: "Create version" }).click();
    await expect(form).toBeHidden();

    // A registered version is tested with its stored key.
    await page.getByRole("button", { name: "Test connection of v1" }).click();
    await expect(page.getByRole("row", { name: /v1/ }).getByTestId("connection-result")).toContainText("Reachable");
    await page.screenshot({ path: `${SHOTS}/model-versions-connection.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/model-versions-connection-phone.png`, fullPage: true });
  } finally {
    await upstream.close();
  }
});
