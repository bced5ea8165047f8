import { expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "../playwright.config";

export const SHOTS = "test-results/screenshots";

export async function signIn(page: Page, email = E2E_ADMIN.email, password = E2E_ADMIN.password) {
  await page.goto("/sign-in");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/projects\/[0-9a-f-]{36}\/models$/);
}

export function projectIdOf(page: Page): string {
  const match = /\/projects\/([0-9a-f-]{36})/.exec(page.url());
  if (!match) throw new Error(`not on a project page: ${page.url()}`);
  return match[1];
}

/** A fresh project of the signed-in user, made through the project switcher; the page is left on it. */
export async function newProject(page: Page, name: string): Promise<string> {
  const before = projectIdOf(page);
  await page.getByRole("button", { name: "Switch project" }).click();
  await page.getByRole("button", { name: "New project" }).click();
  const dialog = page.getByRole("dialog", { name: "New project" });
  await dialog.getByLabel("Project name").fill(name);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("button", { name: "Switch project" })).toContainText(name);
  await expect(page).not.toHaveURL(new RegExp(before));
  return projectIdOf(page);
}

/** Rows of the request explorer whose status cell is exactly `status`. Matching the row's name
 *  instead would also match a request id that happens to contain the digits (e985bf63-4040-…). */
export function requestRowsWithStatus(page: Page, status: number) {
  return page.getByRole("row").filter({ has: page.getByRole("cell", { name: String(status), exact: true }) });
}
