import { expect, type Page, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("create an API key, use it against REST, revoke it, and see it all in the audit log", async ({
  page,
  request,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  await expect(page.getByText("No API keys")).toBeVisible();

  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  // An empty name is refused with the field named.
  await dialog.getByRole("radio", { name: /Read-only/ }).check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await expect(dialog.getByRole("alert").first()).toContainText("Name is required");

  await dialog.getByLabel("Name").fill("ci-deploy");
  await dialog.getByLabel("apiKeys:read").uncheck();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const shown = page.getByRole("dialog", { name: "Copy your new API key" });
  const key = (await shown.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^sy_[A-Za-z0-9_-]{32}$/);
  await shown.getByRole("button", { name: "Done" }).click();

  const row = page.getByRole("row", { name: /ci-deploy/ });
  await expect(row).toContainText(key.slice(0, 11));
  await expect(row).not.toContainText(key);
  await expect(row).toContainText("Active");
  await page.screenshot({ path: `${SHOTS}/api-keys.png`, fullPage: true });

  const auth = { authorization: `Bearer ${key}` };
  const project = await request.get("/api/rest/project", { headers: auth });
  expect(project.status()).toBe(200);
  expect(await project.json()).toMatchObject({ id: projectId, name: "Demo project" });
  // The key holds no apiKeys:read: refused with the missing scope named.
  const keys = await request.get("/api/rest/api-keys", { headers: auth });
  expect(keys.status()).toBe(403);
  expect((await keys.json()).error.message).toContain("apiKeys:read");
  // Malformed input is refused with the field named.
  const bad = await request.get("/api/rest/audit?page=zero", { headers: auth });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.issues[0].path).toBe("page");
  // The console's own tRPC endpoint takes the key too.
  const trpc = await request.get("/api/trpc/projects.current?input=%7B%22json%22%3A%7B%7D%7D", { headers: auth });
  expect(trpc.status()).toBe(200);

  await row.getByRole("button", { name: "Revoke ci-deploy" }).click();
  await page
    .getByRole("dialog", { name: /Revoke/ })
    .getByRole("button", { name: "Revoke key" })
    .click();
  await expect(page.getByText("No API keys")).toBeVisible();
  const after = await request.get("/api/rest/project", { headers: auth });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.message).toMatch(/revoked/);

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("row", { name: /apiKey\.revoke/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /apiKey\.create/ })).toContainText("ci-deploy");
  await page.screenshot({ path: `${SHOTS}/audit-log.png`, fullPage: true });
});

test("REST refuses anonymous callers and serves the OpenAPI document and health", async ({ request }) => {
  const anonymous = await request.get("/api/rest/members");
  expect(anonymous.status()).toBe(401);
  const doc = await request.get("/api/openapi.json");
  expect(doc.status()).toBe(200);
  expect(Object.keys((await doc.json()).paths)).toContain("/api-keys/{id}/revoke");
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", database: { ok: true }, migrations: { upToDate: true } });
});

/** The page fits a phone: nothing scrolls sideways at 390 px. */
async function fitsPhone(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

test("a key made with the default Gateway client purpose calls /v1 as its snippet says; the list shows every scope", async ({
  page,
  request,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  // Gateway client is the default purpose: gateway:invoke and nothing of the console.
  await expect(dialog.getByRole("radio", { name: /Gateway client/ })).toBeChecked();
  await expect(dialog.getByLabel("gateway:invoke")).toBeChecked();
  await expect(dialog.getByLabel("apiKeys:read")).not.toBeChecked();
  await dialog.getByLabel("Name").fill("web-app");
  await page.screenshot({ path: `${SHOTS}/api-key-create.png`, fullPage: true });
  await dialog.getByRole("button", { name: "Create key" }).click();

  const shown = page.getByRole("dialog", { name: "Copy your new API key" });
  const key = (await shown.getByTestId("new-api-key").textContent())!.trim();
  const baseUrl = (await shown.getByTestId("snippet-base-url").textContent())!.trim();
  const model = "switchyard-demo@production";
  await expect(shown.getByTestId("snippet-model")).toHaveText(model);
  expect(baseUrl).toBe(`${new URL(page.url()).origin}/v1`);
  const snippet = shown.getByTestId("key-snippet");
  await expect(snippet).toContainText("from openai import OpenAI");
  await expect(snippet).toContainText(`base_url="${baseUrl}"`);
  await expect(snippet).toContainText(key);
  await shown.getByRole("tab", { name: "JavaScript (openai)" }).click();
  await expect(snippet).toContainText(`baseURL: "${baseUrl}"`);
  await shown.getByRole("tab", { name: "curl" }).click();
  await expect(snippet).toContainText(`${baseUrl}/chat/completions`);
  await expect(snippet).toContainText(`"model":"${model}"`);
  await page.screenshot({ path: `${SHOTS}/api-key-snippet.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/api-key-snippet-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });
  await shown.getByRole("button", { name: "Done" }).click();

  // What the snippet does, done here: the key, the base URL and the model as shown.
  const reply = await request.post(`${baseUrl}/chat/completions`, {
    headers: { authorization: `Bearer ${key}` },
    data: { model, messages: [{ role: "user", content: "Hello" }] },
  });
  expect(reply.status()).toBe(200);
  const answer = await reply.json();
  expect(answer.model).toContain("switchyard-demo");
  expect(answer.choices[0].message.content.length).toBeGreaterThan(0);
  // ...and nothing of the console.
  expect((await request.get("/api/rest/project", { headers: { authorization: `Bearer ${key}` } })).status()).toBe(403);

  // A CI automation key: every one of its scopes is in the list, none hidden behind "+N".
  await page.getByRole("button", { name: "Create key" }).first().click();
  await dialog.getByLabel("Name").fill("ci-pipeline");
  await dialog.getByRole("radio", { name: /CI automation/ }).check();
  await expect(dialog.getByLabel("members:write")).not.toBeChecked();
  await expect(dialog.getByLabel("prompts:write")).toBeChecked();
  await dialog.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("dialog", { name: "Copy your new API key" }).getByRole("button", { name: "Done" }).click();
  const ci = page.getByRole("row", { name: /ci-pipeline/ });
  const scopes = ci.getByRole("list", { name: /^Scopes:/ });
  for (const group of ["models", "prompts", "experiments", "datasets", "gateway", "project"])
    await expect(scopes.getByRole("listitem").filter({ hasText: group })).toBeVisible();
  for (const scope of ["models:write", "prompts:write", "datasets:write", "gateway:write"])
    await expect(scopes).toHaveAttribute("aria-label", new RegExp(`\\b${scope}\\b`));
  await expect(ci).not.toContainText(/\+\d/);
  await expect(page.getByRole("row", { name: /web-app/ }).getByRole("list", { name: /^Scopes:/ })).toHaveAttribute(
    "aria-label",
    "Scopes: feedback:write, gateway:invoke",
  );
  await page.screenshot({ path: `${SHOTS}/api-keys-list.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsPhone(page);
  await page.screenshot({ path: `${SHOTS}/api-keys-list-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });

  // The audit log filters by resource, from what the log holds, and keeps the filters in the URL.
  await page.goto(`/projects/${projectId}/settings/audit`);
  await page.getByLabel("Filter by resource").selectOption({ label: "API keys" });
  await expect(page).toHaveURL(/resource=apiKey/);
  const rows = page.getByRole("row", { name: /apiKey\.create/ });
  await expect(rows.filter({ hasText: "ci-pipeline" })).toBeVisible();
  await page.getByLabel("Filter by action").selectOption("apiKey.create");
  await expect(page).toHaveURL(/action=apiKey\.create/);
  await page.reload();
  await expect(page.getByLabel("Filter by resource")).toHaveValue("apiKey");
  await expect(rows.filter({ hasText: "web-app" })).toBeVisible();
  await expect(page.getByRole("row", { name: /apiKey\.revoke/ })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/audit-filtered.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsPhone(page);
  await page.screenshot({ path: `${SHOTS}/audit-filtered-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });
  // A time range after everything recorded: nothing matches.
  await page.getByLabel("From").fill("2099-01-01T00:00:00");
  await expect(page).toHaveURL(/from=2099-01-01/);
  await expect(page.getByText("Nothing recorded")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page.getByRole("row", { name: /apiKey\.revoke/ }).first()).toBeVisible();
});
