import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { newProject, SHOTS, signIn } from "./helpers";

/** The webhook target: answers every POST with 200 and what it was sent. */
async function hookServer() {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ received: body ? JSON.parse(body) : null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test("the editor refuses a YAML syntax error at its line, saves a valid workflow, and a run draws its graph", async ({
  page,
}) => {
  const hook = await hookServer();
  await signIn(page);
  const projectId = await newProject(page, "Workflows e2e");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/workflows$`));
  await expect(page.getByText("No workflows yet")).toBeVisible();

  // The template opens valid.
  await page.getByRole("link", { name: "New from template" }).first().click();
  await expect(page.getByLabel("Workflow YAML")).toHaveValue(/name: canary-release/);
  await expect(page.getByText("Valid", { exact: true })).toBeVisible();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/workflow-template.png`, fullPage: true });

  await page.goto(`/projects/${projectId}/workflows/new`);
  const editor = page.getByLabel("Workflow YAML");
  const broken = "name: e2e-flow\nsteps:\n  hello:\n    uses: webhook\n   with: { url: x }\n";
  await editor.fill(broken);
  const problems = page.getByRole("list", { name: "Workflow problems" });
  await expect(problems).toContainText("5:1 YAML syntax");
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
  // Clicking the error puts the caret at line 5, column 1.
  await problems.getByRole("button").first().click();
  const caret = await editor.evaluate((el) => (el as HTMLTextAreaElement).selectionStart);
  expect(caret).toBe(broken.split("\n").slice(0, 4).join("\n").length + 1);
  await page.screenshot({ path: `${SHOTS}/workflow-syntax-error.png`, fullPage: true });

  // A schema error is named at its line too, then a valid document saves.
  await editor.fill("name: e2e-flow\nsteps:\n  hello:\n    uses: deploy\n");
  await expect(problems).toContainText("4:11 Unknown step type 'deploy'");
  const valid = `name: e2e-flow
description: hello, then a skipped step and a final one
inputs:
  greeting: { type: string, default: hi }
steps:
  hello:
    uses: webhook
    with: { url: "${hook.url}/hello", body: { say: "\${{ inputs.greeting }}" } }
  never:
    uses: webhook
    needs: hello
    if: steps.hello.outputs.status != 200
    with: { url: "${hook.url}/never" }
  done:
    uses: webhook
    needs: hello
    with: { url: "${hook.url}/done", body: { echo: "\${{ steps.hello.outputs.body }}" } }
`;
  await editor.fill(valid);
  await expect(page.getByText("Valid", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/workflows\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "e2e-flow" })).toBeVisible();
  // Unchanged: nothing to save.
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();

  await page.getByRole("button", { name: "Run" }).click();
  const dialog = page.getByRole("dialog", { name: "Run workflow" });
  await expect(dialog.getByLabel("greeting")).toHaveValue("hi");
  await dialog.getByLabel("greeting").fill("hello there");
  await dialog.getByRole("button", { name: "Run" }).click();
  await expect(page).toHaveURL(/\/workflows\/runs\/[0-9a-f-]{36}$/);

  const graph = page.getByRole("img", { name: "Run graph" });
  await expect(graph.locator('[data-step="hello"]')).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(graph.locator('[data-step="done"]')).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await expect(graph.locator('[data-step="never"]')).toHaveAttribute("data-status", "skipped");
  await expect(graph.locator("path[marker-end]")).toHaveCount(2);
  await graph.locator('[data-step="done"]').click();
  const panel = page.getByLabel("Step done");
  await expect(panel).toContainText("succeeded");
  await expect(panel).toContainText('"say": "hello there"');
  await page.screenshot({ path: `${SHOTS}/workflow-run.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/workflow-run-phone.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${SHOTS}/workflow-run-dark.png`, fullPage: true });
  await page.goto(`/projects/${projectId}/workflows`);
  await expect(page.getByRole("table", { name: "Workflows" })).toContainText("e2e-flow");
  await page.screenshot({ path: `${SHOTS}/workflows-list-dark.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/workflows-list-phone-dark.png`, fullPage: true });
  hook.server.close();
});
