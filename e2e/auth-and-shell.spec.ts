import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("anonymous visitors are sent to sign-in, and a wrong password is refused", async ({ page }) => {
  await page.goto("/projects/00000000-0000-4000-8000-000000000000/models");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=/);
  await expect(page.getByRole("heading", { name: "Sign in to Switchyard" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/sign-in.png` });

  await page.getByLabel("E-mail").fill("admin@e2e.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("the shell navigates every section and the project switcher creates and switches projects", async ({ page }) => {
  await signIn(page);
  const demoId = projectIdOf(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of ["Prompts", "Experiments", "Datasets", "Playground", "Monitoring", "Models"]) {
    await nav.getByRole("link", { name: section }).click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(nav.getByRole("link", { name: section })).toHaveAttribute("aria-current", "page");
  }
  await page.screenshot({ path: `${SHOTS}/shell-models.png` });

  await page.getByRole("button", { name: "Switch project" }).click();
  await page.getByRole("button", { name: "New project" }).click();
  const dialog = page.getByRole("dialog", { name: "New project" });
  await dialog.getByLabel("Project name").fill("Search ranking");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("button", { name: "Switch project" })).toContainText("Search ranking");
  const newId = projectIdOf(page);
  expect(newId).not.toBe(demoId);

  await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByText(newId, { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Switch project" }).click();
  await page
    .getByRole("list", { name: "Projects in Demo organisation" })
    .getByRole("button", { name: "Demo project" })
    .click();
  await expect(page).toHaveURL(new RegExp(`/projects/${demoId}/settings$`));
  await expect(page.getByText(demoId, { exact: true })).toBeVisible();
});

test("the API reference lists the REST endpoints with their scopes", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  await expect(page.getByText("/api/rest/api-keys/{id}/revoke")).toBeVisible();
  await expect(page.getByText("apiKeys:write").first()).toBeVisible();
  // The theme follows the system by default: check the dark palette applies.
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.screenshot({ path: `${SHOTS}/api-reference-dark.png`, fullPage: true });
});

test("at phone width the navigation is a drawer that closes on navigating", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  // The page gets the whole width: nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  await page.getByRole("button", { name: "Open navigation" }).click();
  await expect(nav).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/shell-phone-drawer.png` });
  await nav.getByRole("link", { name: "Prompts" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Prompts" })).toBeVisible();
  await expect(nav).toBeHidden();

  await page.getByRole("button", { name: "Open navigation" }).click();
  await page.getByRole("button", { name: "Close navigation" }).click();
  await expect(nav).toBeHidden();
});
