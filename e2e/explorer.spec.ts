import { expect, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";
import { insertLogRows, utcSeconds } from "./log-rows";

test.use({ timezoneId: "UTC" });

/**
 * The request explorer: server-side filters and text search, kept in the URL (shareable, Back undoes one),
 * times to the second, a column choice that survives a reload, and a request's transcript with tool calls.
 */
test("filters, search and columns live in the URL and the browser; a request reads as a transcript", async ({
  page,
}) => {
  await signIn(page);
  // A project of its own: the rows below are all its log holds, whatever other specs sent before.
  const projectId = await newProject(page, "Explorer e2e");
  const base = Math.floor(Date.now() / 1000) * 1000;
  const [alphaAt, betaAt, toolAt] = [new Date(base - 37_000), new Date(base - 23_000), new Date(base - 11_000)];
  await insertLogRows(projectId, [
    {
      startedAt: alphaAt,
      requestedModel: "alpha-model",
      userId: "ann",
      latencyMs: 1500,
      costUsd: 0.02,
      requestBody: { messages: [{ role: "user", content: "Is there a needle in the haystack?" }] },
      responseBody: { text: "No.", finishReason: "stop" },
    },
    {
      startedAt: betaAt,
      requestedModel: "beta-model",
      userId: "bob",
      status: 500,
      errorMessage: "upstream exploded",
      latencyMs: 50,
      costUsd: 0.5,
      guardrails: [{ stage: "input", rule: "blocklist", action: "block" }],
    },
    {
      startedAt: toolAt,
      requestedModel: "alpha-model",
      sessionId: "sess-e2e",
      toolNames: ["get_weather"],
      requestBody: {
        messages: [
          { role: "user", content: "Weather in Paris?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: '{"temp_c":21}' },
        ],
      },
      responseBody: { text: "It is 21 °C in Paris.", finishReason: "stop" },
    },
  ]);

  await page.goto(`/projects/${projectId}/monitoring/requests`);
  const table = page.getByRole("table", { name: "Requests" });
  const rows = table.locator("tbody tr");
  // The column chooser has checkboxes named like the filters (Status, User): look inside the filter form.
  const filters = page.getByRole("form", { name: "Filter requests" });
  await expect(rows).toHaveCount(3);
  // To the second, in the row and in the detail.
  await expect(table.getByRole("row", { name: /beta-model/ })).toContainText(utcSeconds(betaAt));

  // Text search in the stored bodies, applied into the URL.
  await page.getByLabel("Search in bodies and errors").fill("needle");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]q=needle/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("alpha-model");
  await expect(rows.first()).toContainText(utcSeconds(alphaAt));

  // A second filter narrows to nothing; Back restores the previous view and its fields.
  await filters.getByLabel("Status", { exact: true }).selectOption("server_error");
  await expect(page).toHaveURL(/status=server_error/);
  await expect(page.getByText("No requests match")).toBeVisible();
  await page.goBack();
  await expect(page).not.toHaveURL(/status=/);
  await expect(rows).toHaveCount(1);
  await expect(page.getByLabel("Search in bodies and errors")).toHaveValue("needle");

  // Errors are searched too.
  await page.getByLabel("Search in bodies and errors").fill("exploded");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("beta-model");

  // Ranges validate as the user types; a valid one applies.
  await page.getByRole("button", { name: /Clear/ }).click();
  await expect(rows).toHaveCount(3);
  await page.getByText("More filters").click();
  await filters.getByLabel("Latency from (ms)").fill("2000");
  await filters.getByLabel("to (ms)").fill("1000");
  await expect(page.getByText("Minimum latency must not be above the maximum")).toBeVisible();
  await expect(page.getByRole("button", { name: "Apply" })).toBeDisabled();
  await filters.getByLabel("Latency from (ms)").fill("1000");
  await filters.getByLabel("to (ms)").fill("");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/minLatencyMs=1000/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("alpha-model");
  await page.screenshot({ path: `${SHOTS}/explorer-filters.png`, fullPage: true });

  // A shared link opens with its filters.
  await page.goto(`/projects/${projectId}/monitoring/requests?guardrail=block&user=bob`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("beta-model");
  await expect(filters.getByLabel("Guardrail", { exact: true })).toHaveValue("block");
  await expect(filters.getByLabel("User", { exact: true })).toHaveValue("bob");

  // Columns: Session shown on request, kept after a reload.
  await page.goto(`/projects/${projectId}/monitoring/requests`);
  await expect(table.getByRole("columnheader", { name: "Session" })).toHaveCount(0);
  await page.getByText("Columns", { exact: true }).click();
  await page.getByRole("checkbox", { name: "Session" }).check();
  await expect(table.getByRole("columnheader", { name: "Session" })).toBeVisible();
  await page.reload();
  await expect(table.getByRole("columnheader", { name: "Session" })).toBeVisible();
  const toolRow = table.getByRole("row", { name: /sess-e2e/ });
  await expect(toolRow).toContainText("get_weather");

  // The transcript: the call, its result, the answer.
  await toolRow.getByRole("button", { name: "Details" }).click();
  const dialog = page.getByRole("dialog", { name: "Request" });
  await expect(dialog).toContainText(utcSeconds(toolAt));
  const call = dialog.getByTestId("tool-call");
  await expect(call).toContainText("get_weather");
  await expect(call).toContainText('"city": "Paris"');
  await expect(dialog).toContainText("result of get_weather");
  await expect(dialog.getByTestId("answer")).toContainText("It is 21 °C in Paris.");
  await page.screenshot({ path: `${SHOTS}/explorer-transcript.png` });
  await page.keyboard.press("Escape");

  // Phone width: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(rows).toHaveCount(3);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/explorer-phone.png`, fullPage: true });
});
