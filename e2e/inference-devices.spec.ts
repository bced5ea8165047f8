import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

test("console: inference devices show each provider (or why not) and the loaded model by registry name", async ({
  page,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.getByRole("link", { name: "Inference devices" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Inference devices" })).toBeVisible();
  // (Whether a model is loaded already depends on the specs that ran before on this server: not asserted.)

  // CPU always works; a GPU provider either starts or says why not (this machine has none).
  await expect(page.getByTestId("device-cpu")).toContainText("Available");
  for (const gpu of ["cuda", "webgpu"]) {
    const row = page.getByTestId(`device-${gpu}`);
    await expect(row).toContainText(/Available|Unavailable/);
    const text = (await row.textContent()) ?? "";
    if (text.includes("Unavailable")) {
      expect(text).toMatch(gpu === "cuda" ? /npm run gpu:install|CUDA 12|NVIDIA/ : /WebGPU/);
    }
  }

  // A playground generation loads the demo model: it is listed by its registry name, with its device.
  const run = await page.request.post("/api/rest/playground/stream", {
    headers: { "x-switchyard-project": projectId },
    data: { model: "switchyard-demo@1", input: { prompt: "abc" }, params: { maxTokens: 3 } },
  });
  expect(await run.text()).toContain("event: done");
  await page.reload();
  const loaded = page.getByRole("row", { name: /switchyard-demo@1/ });
  await expect(loaded).toBeVisible();
  await expect(loaded.getByRole("cell").nth(1)).toHaveText(/^(cpu|cuda|webgpu)$/);
  await expect(loaded.getByRole("cell").nth(3)).toHaveText("0 / 0");
  // The demo model has an attention mask and position ids: requests to it decode together.
  await expect(loaded.getByRole("cell").nth(4)).toContainText("up to 8");
  await expect(loaded.getByRole("link", { name: "switchyard-demo@1" })).toHaveAttribute(
    "href",
    new RegExp(`/projects/${projectId}/models/`),
  );

  await page.setViewportSize({ width: 1280, height: 860 });
  await page.screenshot({ path: `${SHOTS}/inference-devices-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/inference-devices-390.png`, fullPage: true });
});
