import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

const DEMO_REPLY = "Hello! I am a tiny demo model 🚀.";

test("the demo model is registered and the playground streams from it, compares, keeps history", async ({ page }) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  const demoRow = page.getByRole("row", { name: /switchyard-demo/ });
  await expect(demoRow).toContainText("production → v1");
  await expect(demoRow).toContainText("Local ONNX");
  await page.screenshot({ path: `${SHOTS}/models.png`, fullPage: true });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playground" }).click();
  await expect(page.getByLabel("Model for configuration 1")).toHaveValue("switchyard-demo");
  await page.getByLabel("Message 1", { exact: true }).fill("Hi there");
  await page.getByRole("button", { name: "Run" }).click();
  const output = page.getByLabel("Output of configuration 1");
  await expect(output).toHaveText(DEMO_REPLY);
  const stats = page.getByTestId("stats-0");
  await expect(stats).toContainText("TTFT");
  await expect(stats).toContainText("cpu");
  await page.screenshot({ path: `${SHOTS}/playground.png`, fullPage: true });

  // Side by side: the second column samples with a seed; greedy stays the same.
  await page.getByRole("button", { name: "Compare" }).click();
  await page.getByLabel("Model for configuration 2").selectOption("switchyard-demo@production");
  await page.getByLabel("Temperature for configuration 2").fill("1.5");
  await page.getByLabel("Seed for configuration 2").fill("7");
  await page.getByRole("button", { name: "Run" }).click();
  await expect(page.getByLabel("Output of configuration 1")).toHaveText(DEMO_REPLY);
  await expect(page.getByTestId("stats-1")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/playground-compare.png`, fullPage: true });

  await page.getByRole("button", { name: "History" }).click();
  const history = page.getByRole("dialog", { name: "Your playground runs" });
  await expect(history.getByRole("row")).toHaveCount(3); // header + two runs
  await history.getByRole("button", { name: "Open" }).last().click();
  await expect(page.getByLabel("Model for configuration 2")).toHaveCount(0);
  await expect(page.getByLabel("Output of configuration 1")).toHaveText(DEMO_REPLY);

  await page.goto(`/projects/${projectId}/models/compare`);
  const measured = page.getByRole("row", { name: /switchyard-demo v1/ });
  await expect(measured).toContainText("cpu");
  await expect(page.getByTestId("throughput-chart")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/models-compare.png`, fullPage: true });
});
