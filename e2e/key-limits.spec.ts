import { expect, test } from "@playwright/test";
import OpenAI from "openai";
import { projectIdOf, requestRowsWithStatus, SHOTS, signIn } from "./helpers";

const ask = (client: OpenAI, content = "Hi") =>
  client.chat.completions.create({ model: "switchyard-demo@production", messages: [{ role: "user", content }] });

async function createKey(page: import("@playwright/test").Page, name: string) {
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("gateway:invoke").check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();
  return key;
}

test("limits set in the console refuse the gateway with 429 and show as usage bars", async ({ page, baseURL }) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  const key = await createKey(page, "metered");

  const row = page.getByRole("row", { name: /metered/ });
  await expect(row).toContainText("No limits");
  await row.getByRole("button", { name: "Limits of metered" }).click();
  const dialog = page.getByRole("dialog", { name: /Limits of "metered"/ });
  // Bad input is refused with the field named, and nothing is saved.
  await dialog.getByLabel("Requests per minute").fill("0");
  await dialog.getByLabel("Budget (USD)").fill("5");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(dialog.getByText("Requests per minute must be at least 1")).toBeVisible();
  await expect(dialog.getByText("Choose the period the budget resets on")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/key-limits-dialog.png` });
  await dialog.getByLabel("Requests per minute").fill("2");
  await dialog.getByLabel("Budget period (UTC)").selectOption("day");
  await dialog.getByRole("button", { name: "Save limits" }).click();
  await expect(dialog).toBeHidden();

  // The limit and the usage bar count per UTC minute (a fixed window): requests sent near a minute's end would be
  // shown as 0 once the next minute starts. Start early in a minute, so the requests and the bar's polls share it.
  const secondsLeft = 60 - new Date().getUTCSeconds();
  if (secondsLeft < 30) await page.waitForTimeout(secondsLeft * 1000 + 500);
  // The key was never used, so no replica caches it: the limit applies at once.
  const client = new OpenAI({ apiKey: key, baseURL: `${baseURL}/v1`, maxRetries: 0 });
  await ask(client);
  await ask(client);
  const refused = await ask(client).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
  const error = refused as InstanceType<typeof OpenAI.RateLimitError>;
  expect(error.code).toBe("rate_limited");
  expect(error.message).toMatch(/may make 2 requests per minute/);
  expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
  expect(Number(error.headers?.get("retry-after"))).toBeLessThanOrEqual(60); // the real wait: the minute's end

  const usage = page.getByTestId(/^usage-/);
  await expect(usage).toContainText("Requests / min");
  // What was served counts, the refused request does not (polled every 5 s).
  await expect(usage).toContainText(/2 \/ 2/, { timeout: 15_000 });
  await expect(usage).toContainText(/Spend today/);
  await expect(usage.getByRole("progressbar").first()).toHaveAttribute("aria-valuenow", "100");
  await page.screenshot({ path: `${SHOTS}/key-limits-usage.png`, fullPage: true });
});

test("masked body logging shows bodies without the e-mail address in the request explorer", async ({
  page,
  baseURL,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings`);
  const privacy = page.getByRole("group", { name: "Request body logging" });
  await expect(privacy.getByLabel(/^None/)).toBeChecked();
  await privacy.getByLabel(/^Masked/).check();
  await page.getByRole("button", { name: "Save privacy setting" }).click();
  await expect(page.getByText("Request body logging: masked")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/privacy-setting.png`, fullPage: true });

  await page.goto(`/projects/${projectId}/settings/api-keys`);
  const client = new OpenAI({ apiKey: await createKey(page, "private"), baseURL: `${baseURL}/v1`, maxRetries: 0 });
  // The change reaches the gateway by NOTIFY when it commits (server/modules/gateway/README.md); one request first
  // gives the notification its millisecond.
  await ask(client, "warm-up");
  // Letters only: a long digit run could itself be masked (phone, card).
  const marker = `ticket ${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;
  await ask(client, `Write to jane.doe@example.com about ${marker}`);

  await page.goto(`/projects/${projectId}/monitoring`);
  await page.getByRole("navigation", { name: "Monitoring pages" }).getByRole("link", { name: "Requests" }).click();
  const detail = page.getByRole("dialog", { name: "Request" });
  await expect(async () => {
    await page.reload();
    await page.getByRole("navigation", { name: "Monitoring pages" }).getByRole("link", { name: "Requests" }).click();
    await requestRowsWithStatus(page, 200).first().getByRole("button", { name: "Details" }).click();
    await expect(detail.getByTestId("request-body")).toContainText(marker, { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  const body = detail.getByTestId("request-body");
  await expect(body).toContainText("Write to <EMAIL_1> about");
  await expect(body).not.toContainText("jane.doe");
  await expect(body).not.toContainText("example.com");
  await expect(detail.getByTestId("response-body")).toContainText("text");
  await page.screenshot({ path: `${SHOTS}/request-body-masked.png` });
});
