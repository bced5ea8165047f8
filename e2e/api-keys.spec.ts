import { expect, test } from "@playwright/test";
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
  await dialog.getByRole("button", { name: "Read only" }).click();
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
