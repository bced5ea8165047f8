import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { E2E_METRICS_TOKEN } from "../playwright.config";
import { projectIdOf, requestRowsWithStatus, SHOTS, signIn } from "./helpers";

const DEMO_REPLY = "Hello! I am a tiny demo model 🚀.";

test("the official openai SDK talks to /v1 on the console's port, streaming and not", async ({ page, baseURL }) => {
  await signIn(page);
  await page.goto(`/projects/${projectIdOf(page)}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("sdk");
  await dialog.getByLabel("gateway:invoke").check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();

  const client = new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1` });
  const models = await client.models.list();
  expect(models.data.map((m) => m.id)).toContain("switchyard-demo@production");
  const completion = await client.chat.completions.create({
    model: "switchyard-demo@production",
    messages: [{ role: "user", content: "Hi" }],
  });
  expect(completion.choices[0].message.content).toBe(DEMO_REPLY);
  expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

  const stream = await client.chat.completions.create({
    model: "switchyard-demo",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  expect(text).toBe(DEMO_REPLY);

  const bad = new OpenAI({ apiKey: "sy_wrong_key_00000000000000000000000", baseURL: `${baseURL}/v1`, maxRetries: 0 });
  await expect(
    bad.chat.completions.create({ model: "switchyard-demo", messages: [{ role: "user", content: "x" }] }),
  ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  await expect(
    client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }),
  ).rejects.toBeInstanceOf(OpenAI.NotFoundError);

  // Every request is logged (batched off the hot path) and charted from the rollups.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Monitoring" }).click();
  await expect(page).toHaveURL(/\/monitoring$/);
  const totals = page.getByTestId("monitoring-totals");
  // At least this test's three requests (other specs may send traffic to this project too, e.g. an eval run's).
  const requests = totals.getByRole("region", { name: "Requests" }).getByTestId("stat-value");
  await expect(async () => {
    await page.reload();
    expect(Number((await requests.textContent({ timeout: 2000 }))?.replaceAll(",", ""))).toBeGreaterThanOrEqual(3);
  }).toPass({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/monitoring.png`, fullPage: true });
  await page.getByRole("navigation", { name: "Monitoring pages" }).getByRole("link", { name: "Requests" }).click();
  const notFound = requestRowsWithStatus(page, 404).filter({ hasText: "no-such-model" });
  await expect(notFound).toContainText("no-such-model");
  await notFound.getByRole("button", { name: "Details" }).click();
  await expect(page.getByRole("dialog", { name: "Request" })).toContainText("NOT_FOUND");
  await page.screenshot({ path: `${SHOTS}/request-detail.png` });

  expect((await fetch(`${baseURL}/metrics`)).status).toBe(401);
  const metrics = await (
    await fetch(`${baseURL}/metrics`, { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } })
  ).text();
  expect(metrics).toMatch(/# TYPE \w+ counter/);
});
