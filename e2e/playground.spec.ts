import { expect, type Page, test } from "@playwright/test";
import { startFakeUpstream } from "../server/modules/providers/testing/fake-upstream";
import { projectIdOf, requestRowsWithStatus, SHOTS, signIn } from "./helpers";

const DEMO_REPLY = "Hello! I am a tiny demo model 🚀.";

/** Desktop and phone screenshots of the page as it is; at phone width nothing may scroll sideways. */
async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });
}

/** An API key with every scope the admin has. */
async function createKey(page: Page, projectId: string, name: string) {
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "All I have" }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  await page.getByRole("button", { name: "Done" }).click();
  return key;
}

test("the playground opens ready to run: Run streams from the demo model; it compares, keeps history, runs on Ctrl+Enter", async ({
  page,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  const demoRow = page.getByRole("row", { name: /switchyard-demo/ });
  await expect(demoRow).toContainText("production → v1");
  await expect(demoRow).toContainText("Local ONNX");
  await page.screenshot({ path: `${SHOTS}/models.png`, fullPage: true });

  // The README's first step, word for word: open Playground and press Run.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page.getByLabel("Model for configuration 1")).toHaveValue("switchyard-demo");
  await expect(page.getByLabel("Message 1", { exact: true })).not.toHaveValue("");
  await page.getByRole("button", { name: "Run" }).click();
  const output = page.getByLabel("Output of configuration 1");
  await expect(output).toHaveText(DEMO_REPLY);
  const stats = page.getByTestId("stats-0");
  await expect(stats).toContainText("TTFT");
  await expect(stats).toContainText("cpu");
  await shoot(page, "playground");

  // Side by side: the second column samples with a seed; greedy stays the same.
  await page.getByRole("button", { name: "Compare" }).click();
  await page.getByLabel("Model for configuration 2").selectOption("switchyard-demo@production");
  await page.getByLabel("Temperature for configuration 2").fill("1.5");
  await page.getByLabel("Seed for configuration 2").fill("7");
  await page.getByRole("button", { name: "Run" }).click();
  await expect(page.getByLabel("Output of configuration 1")).toHaveText(DEMO_REPLY);
  await expect(page.getByTestId("stats-1")).toBeVisible();
  // Three columns: the stat cards stay inside their column.
  await page.getByRole("button", { name: "Compare" }).click();
  await page.getByRole("button", { name: "Run" }).click();
  await expect(page.getByTestId("stats-2")).toBeVisible();
  for (const i of [0, 1, 2]) {
    const column = await page.getByRole("region", { name: `Configuration ${i + 1}` }).boundingBox();
    const card = await page.getByTestId(`stats-${i}`).boundingBox();
    expect(card!.x + card!.width).toBeLessThanOrEqual(column!.x + column!.width);
  }
  await shoot(page, "playground-compare");
  await page.getByRole("button", { name: "Remove configuration 3" }).click();
  await page.getByRole("button", { name: "Remove configuration 2" }).click();

  // A parameter out of range is named next to its field as it is typed, and Run sends nothing.
  const first = page.getByRole("region", { name: "Configuration 1" });
  await page.getByLabel("Temperature for configuration 1").fill("5");
  await expect(first.getByRole("alert")).toHaveText("Must be 2 or less");
  await page.getByLabel("Max tokens for configuration 1").fill("many");
  await expect(first.getByRole("alert").nth(1)).toHaveText(/^Enter a .*number$/);
  await page.getByLabel("Temperature for configuration 1").fill("");
  await page.getByLabel("Max tokens for configuration 1").fill("");
  await expect(first.getByRole("alert")).toHaveCount(0);

  // Ctrl+Enter from the message box runs, as the button's hint says.
  await expect(page.getByRole("button", { name: "Run" })).toHaveAttribute("title", /Ctrl\+Enter/);
  await page.getByLabel("Message 1", { exact: true }).fill("Hi there");
  await page.getByLabel("Message 1", { exact: true }).press("Control+Enter");
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await expect(output).toHaveText(DEMO_REPLY);

  await page.getByRole("button", { name: "History" }).click();
  const history = page.getByRole("dialog", { name: "Your playground runs" });
  await expect(history.getByRole("row")).toHaveCount(5); // header + four runs
  await expect(history.getByRole("row").nth(1)).toContainText("Hi there");
  await history.getByRole("button", { name: "Open" }).nth(2).click();
  await expect(page.getByLabel("Model for configuration 2")).toBeVisible();
  await expect(page.getByLabel("Model for configuration 3")).toHaveCount(0);
  await expect(page.getByLabel("Output of configuration 1")).toHaveText(DEMO_REPLY);

  await page.goto(`/projects/${projectId}/models/compare`);
  const measured = page.getByRole("row", { name: /switchyard-demo v1/ });
  await expect(measured).toContainText("cpu");
  await expect(page.getByTestId("throughput-chart")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/models-compare.png`, fullPage: true });
});

test("Stop leaves a neutral Stopped marker, in the column and in the history", async ({ page, baseURL }) => {
  // An upstream that sends one token and then nothing until the caller hangs up.
  const slow = await startFakeUpstream((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = {
      id: "c",
      object: "chat.completion.chunk",
      model: "m",
      choices: [{ index: 0, delta: { content: "Partial" } }],
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  });
  try {
    await signIn(page);
    const projectId = projectIdOf(page);
    const key = await createKey(page, projectId, "stop-test");
    const rest = async (path: string, body: unknown) => {
      const r = await fetch(`${baseURL}/api/rest${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(r.status, await r.clone().text()).toBe(200);
      return r.json();
    };
    const model = await rest("/models", { name: "slow-upstream", provider: "openai-compatible", task: "chat" });
    await rest(`/models/${model.id}/versions`, { endpointBaseUrl: `${slow.origin}/v1`, upstreamModelId: "m" });

    await page.goto(`/projects/${projectId}/playground`);
    await page.getByLabel("Model for configuration 1").selectOption("slow-upstream");
    await page.getByRole("button", { name: "Run" }).click();
    const output = page.getByLabel("Output of configuration 1");
    await expect(output).toContainText("Partial");
    await page.getByRole("button", { name: "Stop" }).click();
    const column = page.getByRole("region", { name: "Configuration 1" });
    await expect(column.getByText("Stopped", { exact: true })).toBeVisible();
    await expect(column.getByRole("alert")).toHaveCount(0);
    await expect(output).toHaveText("Partial");
    await page.screenshot({ path: `${SHOTS}/playground-stopped.png`, fullPage: true });

    // The server recorded it as stopped: the history says so, and opening it shows the marker again, not an error.
    await page.getByRole("button", { name: "History" }).click();
    const history = page.getByRole("dialog", { name: "Your playground runs" });
    await expect(async () => {
      await page.getByRole("button", { name: "Close" }).click();
      await page.getByRole("button", { name: "History" }).click();
      await expect(history.getByRole("row").nth(1)).toContainText("stopped", { timeout: 2000 });
    }).toPass({ timeout: 20_000 });
    await expect(history.getByRole("row").nth(1)).not.toContainText("error");
    await history.getByRole("button", { name: "Open" }).first().click();
    await expect(column.getByText("Stopped", { exact: true })).toBeVisible();
    await expect(column.getByRole("alert")).toHaveCount(0);
  } finally {
    await slow.close();
  }
});

test("Open in playground from a logged request restores the conversation and parameters, or says it was not logged", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await signIn(page);
  const projectId = projectIdOf(page);
  const key = await createKey(page, projectId, "replay");
  const chat = (body: Record<string, unknown>) =>
    fetch(`${baseURL}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "switchyard-demo", ...body }),
    }).then((r) => {
      expect(r.status).toBe(200);
      return r.headers.get("x-request-id")!;
    });

  // The log is written in batches: wait until the request is there (over REST, as automation would read it).
  const logged = (id: string) =>
    expect
      .poll(
        async () =>
          (
            await fetch(`${baseURL}/api/rest/playground/from-request/${id}`, {
              headers: { authorization: `Bearer ${key}` },
            })
          ).status,
        { timeout: 30_000 },
      )
      .toBe(200);

  // Body logging is off by default (an earlier spec may have turned it on in this project: turn it off):
  // only the model comes back, and the page says why.
  const setBodyLogging = async (label: RegExp, saved: string) => {
    await page.goto(`/projects/${projectId}/settings`);
    await page.getByRole("group", { name: "Request body logging" }).getByLabel(label).check();
    // Save is enabled only for a change: the project may already log bodies this way.
    const save = page.getByRole("button", { name: "Save privacy setting" });
    if (await save.isEnabled()) {
      await save.click();
      await expect(page.getByText(`Request body logging: ${saved}`)).toBeVisible();
    }
    // The setting reaches the gateway by NOTIFY: send until a request is logged the new way.
    await expect
      .poll(
        async () => {
          const id = await chat({ messages: [{ role: "user", content: "warm-up" }] });
          await logged(id);
          const draft = await fetch(`${baseURL}/api/rest/playground/from-request/${id}`, {
            headers: { authorization: `Bearer ${key}` },
          });
          return (await draft.json()).bodyLogged;
        },
        { timeout: 30_000 },
      )
      .toBe(saved !== "none");
  };
  await setBodyLogging(/^None/, "none");
  const unlogged = await chat({ messages: [{ role: "user", content: "not kept" }] });
  await logged(unlogged);
  await page.goto(`/projects/${projectId}/playground?request=${unlogged}`);
  await expect(page.getByText("The conversation was not logged")).toBeVisible();
  await expect(page.getByLabel("Model for configuration 1")).toHaveValue("switchyard-demo");
  await expect(page.getByLabel("Message 1", { exact: true })).toHaveValue("");

  await setBodyLogging(/^Masked/, "masked");
  const kept = await chat({
    messages: [
      { role: "system", content: "You answer in haiku." },
      { role: "user", content: "Mail jane.doe@example.com about the outage" },
      { role: "assistant", content: "Done." },
      { role: "user", content: "Summarize the outage" },
    ],
    temperature: 0.7,
    max_tokens: 20,
    top_p: 0.9,
  });

  await logged(kept);
  await page.goto(`/projects/${projectId}/monitoring`);
  const detail = page.getByRole("dialog", { name: "Request" });
  await expect(async () => {
    await page.reload();
    await page.getByRole("navigation", { name: "Monitoring pages" }).getByRole("link", { name: "Requests" }).click();
    await requestRowsWithStatus(page, 200).first().getByRole("button", { name: "Details" }).click();
    await expect(detail.getByTestId("request-body")).toContainText("Summarize the outage", { timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await detail.getByRole("link", { name: "Open in playground" }).click();
  await expect(page).toHaveURL(/\/playground\?request=[0-9a-f-]{36}$/);
  await expect(page.getByLabel("System message")).toHaveValue("You answer in haiku.");
  // The masked body, as stored: the address never reaches the playground.
  await expect(page.getByLabel("Message 1", { exact: true })).toHaveValue("Mail <EMAIL_1> about the outage");
  await expect(page.getByLabel("Role of message 2")).toHaveValue("assistant");
  await expect(page.getByLabel("Message 2", { exact: true })).toHaveValue("Done.");
  await expect(page.getByLabel("Message 3", { exact: true })).toHaveValue("Summarize the outage");
  await expect(page.getByLabel("Model for configuration 1")).toHaveValue("switchyard-demo");
  await expect(page.getByLabel("Temperature for configuration 1")).toHaveValue("0.7");
  await expect(page.getByLabel("Max tokens for configuration 1")).toHaveValue("20");
  await expect(page.getByLabel("Top-p for configuration 1")).toHaveValue("0.9");
  await expect(page.getByRole("region", { name: "Opened from a logged request" })).toContainText(
    "Messages and parameters restored",
  );
  await page.getByRole("button", { name: "Run" }).click();
  await expect(page.getByLabel("Output of configuration 1")).not.toBeEmpty();
  await expect(page.getByTestId("stats-0")).toBeVisible();
  await shoot(page, "playground-from-request");
});
