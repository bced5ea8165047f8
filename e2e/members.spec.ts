import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("an admin adds a viewer, who can read but not manage keys; repeated wrong passwords slow sign-in from that address", async ({
  page,
  browser,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/members`);
  await expect(page.getByRole("row", { name: /admin@e2e\.test/ })).toBeVisible();

  await page.getByRole("button", { name: "Add member" }).click();
  const dialog = page.getByRole("dialog", { name: "Add member" });
  await dialog.getByLabel("E-mail").fill("viewer@e2e.test");
  await dialog.getByRole("button", { name: "Add member" }).click();
  // No account has this e-mail yet: the password field says what is missing.
  await expect(dialog.getByText("Required to create a new account")).toBeVisible();
  await dialog.getByLabel("Role").selectOption("viewer");
  await dialog.getByLabel("Name (new account)").fill("Vera Viewer");
  await dialog.getByLabel("Initial password (new account)").fill("viewer-password");
  await dialog.getByRole("button", { name: "Add member" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: /(^| )viewer@e2e\.test/ });
  await expect(row).toBeVisible();
  await expect(row.getByLabel("Role of viewer@e2e.test")).toHaveValue("viewer");
  await page.screenshot({ path: `${SHOTS}/members.png`, fullPage: true });

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "viewer@e2e.test", "viewer-password");
  await viewer.goto(`/projects/${projectId}/settings/api-keys`);
  await expect(viewer.getByRole("heading", { name: "API keys" })).toBeVisible();
  await expect(viewer.getByText(/Keys authenticate the REST API/)).toBeVisible();
  // Write actions are shown disabled, saying why, rather than hidden or refused after the click.
  const createKey = viewer.getByRole("button", { name: "Create key" }).first();
  await expect(createKey).toBeDisabled();
  await expect(createKey).toHaveAttribute("title", /viewer.*apiKeys:write/);
  await viewer.goto(`/projects/${projectId}/settings/members`);
  const addMember = viewer.getByRole("button", { name: "Add member" });
  await expect(addMember).toBeDisabled();
  await expect(addMember).toHaveAttribute("title", /members:write/);
  await expect(viewer.getByRole("button", { name: "Remove viewer@e2e.test" })).toBeDisabled();
  await expect(viewer.getByLabel("Role of viewer@e2e.test")).toBeDisabled();
  await viewer.goto(`/projects/${projectId}/settings`);
  await expect(viewer.getByRole("button", { name: "Save privacy setting" })).toBeDisabled();
  await viewer.goto(`/projects/${projectId}/models`);
  const register = viewer.getByRole("button", { name: "Register model" }).first();
  await expect(register).toBeDisabled();
  await expect(register).toHaveAttribute("title", /models:write/);
  await viewer.getByRole("link", { name: "switchyard-demo" }).first().click();
  await expect(viewer.getByRole("button", { name: "New version" }).first()).toBeDisabled();
  await viewer.screenshot({ path: `${SHOTS}/viewer-model.png`, fullPage: true });
  await viewerContext.close();

  const attacker = await browser.newPage();
  await attacker.goto("/sign-in");
  const attempt = async (password: string) => {
    await attacker.getByLabel("E-mail").fill("viewer@e2e.test");
    await attacker.getByLabel("Password").fill(password);
    const answered = attacker.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/sign-in"));
    await attacker.getByRole("button", { name: "Sign in" }).click();
    await answered;
    // The form resets once the action's answer is applied.
    await expect(attacker.getByLabel("Password")).toHaveValue("");
  };
  // Past 5 failures for this (e-mail, address) each answer is a growing wait, not a lockout of the account.
  let throttled = 0;
  for (let i = 0; i < 10; i++) {
    await attempt(`guess-${i}`);
    await expect(attacker.getByText(/Wrong e-mail or password|Too many sign-in attempts from here/)).toBeVisible();
    if (await attacker.getByText(/Too many sign-in attempts from here\. Try again in \d+ (second|minute)/).count())
      throttled++;
  }
  expect(throttled).toBeGreaterThan(0);
  // The owner of the account is not locked out: after the wait the page names, the right password signs in.
  for (let tries = 0; attacker.url().includes("/sign-in"); tries++) {
    expect(tries).toBeLessThan(4);
    await attacker.getByLabel("E-mail").fill("viewer@e2e.test");
    await attacker.getByLabel("Password").fill("viewer-password");
    await attacker.getByRole("button", { name: "Sign in" }).click();
    const signedIn = await attacker
      .waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (signedIn) break;
    const wait = attacker.getByText(/Try again in (\d+) seconds?/);
    await expect(wait).toBeVisible();
    const seconds = Number(/Try again in (\d+)/.exec((await wait.textContent()) ?? "")?.[1] ?? "1");
    await attacker.waitForTimeout((seconds + 1) * 1000);
  }
  await expect(attacker).not.toHaveURL(/\/sign-in/);
});
