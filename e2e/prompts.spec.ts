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

  // Unchanged, there is nothing to save: the button says so before anyone presses it.
  await page.getByRole("tab", { name: "Edit & preview" }).click();
  await expect(page.getByRole("button", { name: "Save as v2" })).toBeDisabled();
  await expect(page.getByText("Nothing to save yet: this is v1 as it is.")).toBeVisible();

  // Versions 2 and 3 from the editor; v3 names its model.
  for (const [system, message, model] of [
    ["You triage support tickets.", "clearer system prompt", ""],
    ["You triage support tickets. Answer with one word.", "one-word answers", "switchyard-demo@production"],
  ]) {
    await page.getByRole("tab", { name: "Edit & preview" }).click();
    await page.getByLabel("Template message 1", { exact: true }).fill(system);
    if (model) await page.getByLabel("Model (registry reference)").fill(model);
    await page.getByLabel("Commit message").fill(message);
    await page.getByRole("button", { name: /Save as v/ }).click();
    await expect(page.getByRole("row", { name: new RegExp(message) })).toBeVisible();
  }

  // Any version's template, read-only.
  await page.getByRole("button", { name: "View v1" }).click();
  const v1 = page.getByRole("dialog", { name: "support/triage v1" });
  await expect(v1.getByRole("region", { name: "Template (read-only)" })).toContainText("You are a helpful assistant.");
  await expect(v1.getByRole("textbox")).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/prompt-version-view.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/prompt-version-view-phone.png` });
  await page.setViewportSize({ width: 1360, height: 860 });
  await v1.getByRole("button", { name: "Close" }).click();

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

  // Open a version in the playground: its model at once, its template as the input, rendered with the variables.
  await page.getByRole("tab", { name: /Versions/ }).click();
  await page
    .getByRole("row", { name: /one-word answers/ })
    .getByRole("link", { name: "Open in playground" })
    .click();
  await expect(page.getByText("Prompt support/triage")).toBeVisible();
  await expect(page.getByLabel("Model for configuration 1")).toHaveValue("switchyard-demo@production");
  await expect(page.getByLabel("System message")).toHaveValue("You triage support tickets. Answer with one word.");
  await expect(page.getByLabel("Message 1", { exact: true })).toHaveValue(FEW_SHOT);
  await expect(page.getByRole("button", { name: "Save as new version" })).toBeDisabled();
  await page.getByLabel("examples").fill('[{"input": "Login fails", "label": "auth"}]');
  await page.getByLabel("ticket").fill("Password reset mail never arrives");
  await expect(page.getByRole("region", { name: "Rendered prompt" })).toContainText(
    "Ticket: Login fails\nLabel: auth\nTicket: Password reset mail never arrives\nLabel:",
  );
  await page.getByRole("button", { name: "Run" }).click();
  await expect(page.getByLabel("Output of configuration 1")).not.toBeEmpty();
  await expect(page.getByTestId("stats-0")).toBeVisible();

  // Edits made here become the prompt's next version, after a look at the diff.
  await page.getByLabel("System message").fill("You triage support tickets. Answer with one lowercase word.");
  await page.getByRole("button", { name: "Save as new version" }).click();
  const save = page.getByRole("dialog", { name: "Save as a new version of support/triage" });
  await expect(save.getByRole("region", { name: "Template changes" })).toContainText(
    "You triage support tickets. Answer with one lowercase word.",
  );
  await expect(save.getByRole("region", { name: "Config changes" })).toContainText("Unchanged.");
  await save.getByLabel("Commit message").fill("tuned in the playground");
  await page.screenshot({ path: `${SHOTS}/playground-save-version.png` });
  await save.getByRole("button", { name: "Save version" }).click();
  await expect(page).toHaveURL(/prompt=support%2Ftriage%404$/);
  await expect(page.getByText("Prompt support/triage v4")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save as new version" })).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/playground-prompt.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/playground-prompt-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1360, height: 860 });
  // Back on the prompt's page (the playground replaced its own history entry when it saved).
  await page.goBack();
  await expect(page.getByRole("heading", { level: 1, name: "support/triage" })).toBeVisible();
  await expect(page.getByRole("row", { name: /tuned in the playground/ })).toContainText("v4");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/prompt-detail-phone.png`, fullPage: true });
});

test("a viewer sees the write actions of prompts and the playground disabled, with the reason", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  const created = await page.request.post("/api/rest/prompts", {
    headers: { "x-switchyard-project": projectId },
    data: { name: "viewer-check", type: "chat", template: [{ role: "user", content: "Hi {{ name }}" }] },
  });
  expect(created.status()).toBe(200);
  const { promptId } = await created.json();
  await page.goto(`/projects/${projectId}/settings/members`);
  await page.getByRole("button", { name: "Add member" }).click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("E-mail").fill("prompt-viewer@e2e.test");
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByLabel("Name (new account)").fill("Paula Viewer");
  await dialog.getByLabel("Initial password (new account)").fill("viewer-password");
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog).toBeHidden();

  const context = await browser.newContext();
  const viewer = await context.newPage();
  await signIn(viewer, "prompt-viewer@e2e.test", "viewer-password");
  await viewer.goto(`/projects/${projectId}/prompts`);
  const create = viewer.getByRole("button", { name: "New prompt" });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAttribute("title", /read-only/);

  await viewer.goto(`/projects/${projectId}/prompts/${promptId}`);
  await viewer.getByRole("button", { name: "View v1" }).click();
  await expect(viewer.getByRole("dialog", { name: "viewer-check v1" })).toContainText("Hi {{ name }}");
  await viewer.getByRole("button", { name: "Close" }).click();
  await viewer.getByRole("tab", { name: "Edit & preview" }).click();
  const saveVersion = viewer.getByRole("button", { name: "Save as v2" });
  await expect(saveVersion).toBeDisabled();
  await viewer.getByLabel("Template message 1", { exact: true }).fill("Hello {{ name }}");
  await expect(saveVersion).toBeDisabled();
  await expect(saveVersion).toHaveAttribute("title", /read-only/);

  await viewer.goto(`/projects/${projectId}/playground?prompt=viewer-check@1`);
  await expect(viewer.getByText("Prompt viewer-check")).toBeVisible();
  const run = viewer.getByRole("button", { name: "Run" });
  await expect(run).toBeDisabled();
  await expect(run).toHaveAttribute("title", /read-only/);
  await viewer.getByLabel("Message 1", { exact: true }).fill("Hello {{ name }}");
  const save = viewer.getByRole("button", { name: "Save as new version" });
  await expect(save).toBeDisabled();
  await expect(save).toHaveAttribute("title", /read-only/);
  await expect(viewer.getByRole("button", { name: "History" })).toBeDisabled();
  await viewer.screenshot({ path: `${SHOTS}/playground-viewer.png`, fullPage: true });
  await context.close();
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
  // The same content again is not a version: 409, nothing written.
  const copy = await request.post(`/api/rest/prompts/${promptId}/versions`, {
    headers,
    data: { template: [{ role: "user", content: `${FEW_SHOT}  ` }], commitMessage: "again" },
  });
  expect(copy.status()).toBe(409);
  expect((await copy.json()).error.message).toBe(
    "Nothing changed: the template and config are the same as v3, so no version was saved",
  );
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
