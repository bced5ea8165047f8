import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { writeModelLayout } from "@/server/modules/inference/model-builder/layouts";
import { SHOTS, signIn } from "./helpers";

test("a whole export folder is uploaded with its onnx/ variants and a version picks one", async ({ page }) => {
  // A transformers.js-style folder: onnx/model.onnx, model_fp16.onnx, model_quantized.onnx, external data.
  const dir = path.join(await mkdtemp(path.join(tmpdir(), "switchyard-e2e-variants-")), "export");
  await writeModelLayout(dir, { folder: "onnx", variants: ["fp32", "fp16", "quantized"], externalData: true });
  await signIn(page);
  await page.getByRole("button", { name: "Register model" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Register model" });
  await dialog.getByLabel("Name").fill("variants-bot");
  await dialog.getByLabel("Provider").selectOption("onnx-local");
  await dialog.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "variants-bot" })).toBeVisible();

  await page.getByRole("button", { name: "New version" }).first().click();
  const version = page.getByRole("dialog", { name: "New version of variants-bot" });
  await version.getByLabel("Model folder").setInputFiles(dir);
  await expect(version.getByTestId("artifact-summary")).toContainText("512 tokens context");
  const variant = version.getByLabel("Variant");
  await expect(variant.locator("option")).toHaveText([
    "Automatic (by device; CPU: quantized)",
    "fp32 (onnx/model.onnx)",
    "fp16 (onnx/model_fp16.onnx)",
    "quantized (onnx/model_quantized.onnx)",
  ]);
  await page.screenshot({ path: `${SHOTS}/model-variants-1280.png` });
  await variant.selectOption("fp16");
  await version.getByRole("button", { name: "Create version" }).click();
  await expect(page.getByRole("row", { name: /v1\b/ })).toBeVisible();
});
