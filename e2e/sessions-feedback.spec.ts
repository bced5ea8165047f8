import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";
import { insertLogRows } from "./log-rows";

test.use({ timezoneId: "UTC" });

/**
 * Sessions: the gateway records x-switchyard-session, the sessions page lists header sessions and users, a
 * session reads as one transcript. Feedback: thumbs from the console, scores from a script over REST.
 */
test("sessions group requests into a transcript; feedback comes from the console and from REST", async ({
  page,
  baseURL,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);

  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("feedback-script");
  await dialog.getByLabel("gateway:invoke").check();
  await dialog.getByLabel("feedback:write").check();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();

  // Through the real gateway: the header lands in the log.
  const chat = (session: string) =>
    fetch(`${baseURL}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-switchyard-session": session },
      body: JSON.stringify({ model: "switchyard-demo", messages: [{ role: "user", content: "Hi" }] }),
    });
  expect((await chat("gw-session-1")).status).toBe(200);
  const tooLong = await chat("x".repeat(201));
  expect(tooLong.status).toBe(400);
  expect(await tooLong.text()).toContain("x-switchyard-session");

  const t = Date.now() - 120_000;
  const [turn1, turn2] = await insertLogRows(projectId, [
    {
      startedAt: new Date(t),
      sessionId: "trip-42",
      userId: "dana",
      costUsd: 0.25,
      requestBody: { messages: [{ role: "user", content: "Plan a trip" }] },
      responseBody: { text: "Where to?", finishReason: "stop" },
    },
    {
      startedAt: new Date(t + 5000),
      sessionId: "trip-42",
      userId: "dana",
      costUsd: 0.5,
      requestBody: {
        messages: [
          { role: "user", content: "Plan a trip" },
          { role: "assistant", content: "Where to?" },
          { role: "user", content: "Paris, in May" },
        ],
      },
      responseBody: { text: "Paris in May it is.", finishReason: "stop" },
    },
    { startedAt: new Date(t + 9000), userId: "carol", costUsd: 1 },
  ]);

  await page.goto(`/projects/${projectId}/monitoring/sessions`);
  const table = page.getByRole("table", { name: "Sessions" });
  // The gateway's row arrives with the writer's next batch.
  await expect(async () => {
    await page.reload();
    await expect(table.getByRole("row", { name: /gw-session-1/ })).toBeVisible({ timeout: 5000 });
  }).toPass({ timeout: 60_000 });
  const trip = table.getByRole("row", { name: /trip-42/ });
  await expect(trip).toContainText("header");
  await expect(trip.getByRole("cell").nth(2)).toHaveText("2");
  await expect(trip).toContainText("$0.75");
  await expect(trip).toContainText("dana");
  await expect(table.getByRole("row", { name: /carol/ })).toContainText("user");
  await page.screenshot({ path: `${SHOTS}/sessions.png`, fullPage: true });

  await trip.getByRole("link", { name: "trip-42" }).click();
  await expect(page.getByRole("heading", { name: "Session trip-42" })).toBeVisible();
  const turns = page.getByTestId("turn");
  await expect(turns).toHaveCount(2);
  await expect(turns.nth(0)).toContainText("Plan a trip");
  await expect(turns.nth(0)).toContainText("Where to?");
  // The second turn shows what it added, not the repeated history.
  await expect(turns.nth(1)).toContainText("Paris, in May");
  await expect(turns.nth(1)).toContainText("Paris in May it is.");
  await expect(turns.nth(1)).toContainText("2 earlier messages");
  await expect(turns.nth(1)).not.toContainText("Plan a trip");

  // Console feedback: thumbs up with a comment on the first turn.
  await turns.nth(0).locator("summary", { hasText: "Feedback" }).click();
  await turns.nth(0).getByLabel("Comment (optional)").fill("Good opening question");
  await turns.nth(0).getByRole("button", { name: "Good" }).click();
  await expect(turns.nth(0).getByTestId("feedback-summary")).toContainText("thumbs: 1 of 1 up");
  await expect(turns.nth(0).getByRole("list", { name: "Scores given" })).toContainText("Good opening question");
  await page.screenshot({ path: `${SHOTS}/session-transcript.png`, fullPage: true });

  // Feedback from a script, over REST with the key.
  const post = (id: string, body: unknown) =>
    fetch(`${baseURL}/api/rest/requests/${id}/feedback`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const ok = await post(turn2, { name: "rating", value: 4, comment: "Solid plan", endUser: "dana" });
  expect(ok.status).toBe(200);
  const bad = await post(turn2, { name: "rating", value: "lots" });
  expect(bad.status).toBe(400);
  const unknown = await post("00000000-0000-4000-8000-000000000000", { name: "rating", value: 1 });
  expect(unknown.status).toBe(404);
  await page.reload();
  await turns.nth(1).locator("summary", { hasText: "Feedback" }).click();
  const scores = turns.nth(1).getByRole("list", { name: "Scores given" });
  await expect(scores).toContainText("rating = 4");
  await expect(scores).toContainText("for dana");
  await expect(scores).toContainText("Solid plan");
  expect(turn1).toBeTruthy();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(turns).toHaveCount(2);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/session-phone.png`, fullPage: true });
  await page.goto(`/projects/${projectId}/monitoring/sessions`);
  await expect(table.getByRole("row", { name: /trip-42/ })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/sessions-phone.png`, fullPage: true });
});
