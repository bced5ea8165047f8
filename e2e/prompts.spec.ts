import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

const FEW_SHOT =
  "{% for ex in examples %}Ticket: {{ ex.input }}\nLabel: {{ ex.label }}\n{% endfor %}Ticket: {{ ticket }}\nLabel:";

test("console: few-shot chat prompt, three versions, diff, labels, rollback, preview with a missing variable", async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Prompts" }).click();
  await page.getByRole("button", { name: "New prompt" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New prompt" });
  await dialog.getByLabel("Name").fill("support/triage");
  await dialog.getByLabel("Template message 2", { exact: true }).fill(FEW_SHOT);
  await dialog.getByRole("button", { name: "Create prompt" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "support/triage" })).toBeVisible();
  await expect(page.getByRole("row", { name: /v1/ })).toContainText("examples, ticket");

  // Versions 2 and 3 from the editor.
  for (const [system, message] of [
    ["You triage support tickets.", "clearer system prompt"],
    ["You triage support tickets. Answer with one word.", "one-word answers"],
  ]) {
    await page.getByRole("tab", { name: "Edit & preview" }).click();
    await page.getByLabel("Template message 1", { exact: true }).fill(system);
    await page.getByLabel("Commit message").fill(message);
    await page.getByRole("button", { name: /Save as v/ }).click();
    await expect(page.getByRole("row", { name: new RegExp(message) })).toBeVisible();
  }

  // Live preview: a missing variable is named; filled in, the few-shot loop renders.
  await page.getByRole("tab", { name: "Edit & preview" }).click();
  const preview = page.getByRole("region", { name: "Rendered preview" });
  await expect(preview.getByRole("alert")).toContainText("ticket");
  await page.getByLabel("examples").fill('[{"input": "App crashes", "label": "bug"}]');
  await page.getByLabel("ticket").fill("Refund please");
  await expect(preview).toContainText("Ticket: App crashes\nLabel: bug\nTicket: Refund please");
  await page.screenshot({ path: `${SHOTS}/prompt-editor.png`, fullPage: true });

  await page.getByRole("tab", { name: "Diff" }).click();
  await page.getByLabel("From version").selectOption("1");
  await page.getByLabel("To version").selectOption("3");
  await expect(page.getByText("You triage support tickets. Answer with one word.")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/prompt-diff.png`, fullPage: true });

  await page.getByRole("tab", { name: "Labels" }).click();
  const move = async (version: string, reason: string) => {
    await page.getByLabel("Label", { exact: true }).fill("production");
    await page.getByLabel("Version").selectOption(version);
    await page.getByLabel("Reason").fill(reason);
    await page.getByRole("button", { name: "Move", exact: true }).click();
    await expect(page.getByRole("row", { name: new RegExp(reason) })).toBeVisible();
  };
  await move("2", "ship v2");
  await move("3", "ship v3");
  await page.getByRole("button", { name: "Roll back production to v2" }).click();
  await expect(page.getByRole("row", { name: /rollback from v3/ })).toContainText("v3 → v2");
  await page.screenshot({ path: `${SHOTS}/prompt-labels.png`, fullPage: true });

  // Open a version in the playground with its variables.
  await page.getByRole("tab", { name: /Versions/ }).click();
  await page
    .getByRole("row", { name: /one-word answers/ })
    .getByRole("link", { name: "Open in playground" })
    .click();
  await expect(page.getByText("Prompt support/triage")).toBeVisible();
  await page.getByLabel("examples").fill('[{"input": "Login fails", "label": "auth"}]');
  await page.getByLabel("ticket").fill("Password reset mail never arrives");
  await page.getByRole("button", { name: "Render into the input" }).click();
  await expect(page.getByLabel("System message")).toHaveValue("You triage support tickets. Answer with one word.");
  await expect(page.getByLabel("Message 1", { exact: true })).toHaveValue(
    "Ticket: Login fails\nLabel: auth\nTicket: Password reset mail never arrives\nLabel:",
  );
});

test("REST: create, version, label, render, missing variable, ETag", async ({ page, request }) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("prompts-ci");
  await dialog.getByRole("button", { name: "All I have" }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  const headers = { authorization: `Bearer ${key}` };

  const created = await request.post("/api/rest/prompts", {
    headers,
    data: { name: "rest/few-shot", type: "chat", template: [{ role: "user", content: FEW_SHOT }] },
  });
  expect(created.status()).toBe(200);
  const { promptId } = await created.json();
  for (const suffix of [" ", "  "]) {
    const v = await request.post(`/api/rest/prompts/${promptId}/versions`, {
      headers,
      data: { template: [{ role: "user", content: FEW_SHOT + suffix }], commitMessage: "v" },
    });
    expect(v.status()).toBe(200);
  }
  for (const version of [3, 1]) {
    expect(
      (await request.put(`/api/rest/prompts/${promptId}/labels/production`, { headers, data: { version } })).status(),
    ).toBe(200);
  }
  const diff = await (await request.get(`/api/rest/prompts/${promptId}/diff?from=1&to=3`, { headers })).json();
  expect(diff.identical).toBe(false);

  const rendered = await request.post("/api/rest/prompts/render", {
    headers,
    data: { name: "rest/few-shot", variables: { ticket: "Hi", examples: [{ input: "a", label: "b" }] } },
  });
  expect(rendered.status()).toBe(200);
  expect((await rendered.json()).messages[0].content).toBe("Ticket: a\nLabel: b\nTicket: Hi\nLabel:");
  const missing = await request.post("/api/rest/prompts/render", {
    headers,
    data: { name: "rest/few-shot", variables: { examples: [] } },
  });
  expect(missing.status()).toBe(400);
  const error = (await missing.json()).error;
  expect(error.message).toContain("ticket");
  expect(error.issues[0].path).toBe("variables.ticket");

  const fetched = await request.get("/api/rest/prompt?name=rest/few-shot", { headers });
  expect((await fetched.json()).version).toBe(1);
  const etag = fetched.headers().etag;
  expect(
    (
      await request.get("/api/rest/prompt?name=rest/few-shot", { headers: { ...headers, "if-none-match": etag } })
    ).status(),
  ).toBe(304);
});
