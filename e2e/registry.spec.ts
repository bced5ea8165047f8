import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { projectIdOf, SHOTS, signIn } from "./helpers";

async function modelFolder() {
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-e2e-model-"));
  await writeTestModel(dir);
  return { dir, files: (await readdir(dir)).map((f) => path.join(dir, f)) };
}

test("console: register a local model, upload versions, reject a broken upload, move and roll back an alias", async ({
  page,
}) => {
  const folder = await modelFolder();
  await signIn(page);
  await page.getByRole("button", { name: "Register model" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Register model" });
  await dialog.getByLabel("Name").fill("support-bot");
  await dialog.getByLabel("Provider").selectOption("onnx-local");
  await dialog.getByLabel("License").fill("apache-2.0");
  await dialog.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "support-bot" })).toBeVisible();

  // A broken upload is refused with the reason, and nothing is created.
  const broken = path.join(folder.dir, "broken");
  await writeFile(`${broken}.onnx`, "not an onnx file");
  await page.getByRole("button", { name: "New version" }).first().click();
  let version = page.getByRole("dialog", { name: "New version of support-bot" });
  await version
    .locator("#artifact-files")
    .setInputFiles([{ name: "model.onnx", mimeType: "application/octet-stream", buffer: Buffer.from("garbage") }]);
  await expect(version.getByRole("alert")).toContainText(/tokenizer\.json|model\.onnx/);
  await version.getByRole("button", { name: "Cancel" }).click();

  for (const expected of [1, 2]) {
    await page.getByRole("button", { name: "New version" }).first().click();
    version = page.getByRole("dialog", { name: "New version of support-bot" });
    await version.locator("#artifact-files").setInputFiles(folder.files);
    await expect(version.getByTestId("artifact-summary")).toContainText("KV cache");
    if (expected === 1) await page.screenshot({ path: `${SHOTS}/new-version.png` });
    await version.getByLabel("Notes").fill(`release ${expected}`);
    await version.getByRole("button", { name: "Create version" }).click();
    await expect(page.getByRole("row", { name: new RegExp(`v${expected}\\b`) })).toBeVisible();
  }

  await page.getByRole("tab", { name: "Aliases & deployments" }).click();
  const move = async (v: string, reason: string) => {
    await page.getByLabel("Alias", { exact: true }).fill("production");
    await page.getByLabel("Version").selectOption(v);
    await page.getByLabel("Reason").fill(reason);
    await page.getByRole("button", { name: "Move", exact: true }).click();
    await expect(page.getByRole("row", { name: new RegExp(reason) })).toBeVisible();
  };
  await move("1", "first release");
  await move("2", "upgrade to v2");
  await page.getByRole("button", { name: "Roll back production to v1" }).click();
  await page
    .getByRole("dialog", { name: /Roll production back/ })
    .getByRole("button", { name: "Roll back" })
    .click();
  await expect(page.getByRole("row", { name: /rollback from v2/ })).toContainText("v2 → v1");
  await page.screenshot({ path: `${SHOTS}/model-aliases.png`, fullPage: true });
});

test("REST: register, version, alias, roll back, upload and reject artifacts with an API key", async ({
  page,
  request,
}) => {
  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/settings/api-keys`);
  await page.getByRole("button", { name: "Create key" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("registry-ci");
  await dialog.getByRole("button", { name: "All I have" }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  const headers = { authorization: `Bearer ${key}` };

  const created = await request.post("/api/rest/models", {
    headers,
    data: {
      name: "upstream-gpt",
      provider: "openai-compatible",
      task: "chat",
      priceInputPerMTok: 0.5,
      priceOutputPerMTok: 1.5,
    },
  });
  expect(created.status()).toBe(200);
  const model = await created.json();
  const bad = await request.post(`/api/rest/models/${model.id}/versions`, {
    headers,
    data: { endpointBaseUrl: "nope" },
  });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.issues[0].path).toBe("endpointBaseUrl");
  for (const id of ["gpt-a", "gpt-b"]) {
    const v = await request.post(`/api/rest/models/${model.id}/versions`, {
      headers,
      data: { endpointBaseUrl: "http://127.0.0.1:9/v1", upstreamModelId: id, apiKey: "sk-secret" },
    });
    expect(v.status()).toBe(200);
    expect(JSON.stringify(await v.json())).not.toContain("sk-secret");
  }
  for (const [version, reason] of [
    [1, "launch"],
    [2, "upgrade"],
    [1, "rollback"],
  ] as const) {
    const moved = await request.put(`/api/rest/models/${model.id}/aliases/production`, {
      headers,
      data: { version, reason },
    });
    expect(moved.status()).toBe(200);
  }
  const log = await (await request.get(`/api/rest/models/${model.id}/alias-history`, { headers })).json();
  expect(log.map((e: { fromVersion: number | null; toVersion: number }) => [e.fromVersion, e.toVersion])).toEqual([
    [2, 1],
    [1, 2],
    [null, 1],
  ]);

  const folder = await modelFolder();
  const { readFile } = await import("node:fs/promises");
  const multipart = Object.fromEntries(
    await Promise.all(
      folder.files.map(async (f, i) => [
        `files${i}`,
        { name: path.basename(f), mimeType: "application/octet-stream", buffer: await readFile(f) },
      ]),
    ),
  );
  // Playwright names multipart fields by key; the server reads every file part.
  const uploaded = await request.post("/api/rest/artifacts/upload", { headers, multipart });
  expect([200, 201]).toContain(uploaded.status());
  expect((await uploaded.json()).inspection.hasKvCache).toBe(true);
  const rejected = await request.post("/api/rest/artifacts/upload", {
    headers,
    multipart: { files: { name: "model.onnx", mimeType: "application/octet-stream", buffer: Buffer.from("junk") } },
  });
  expect(rejected.status()).toBe(422);
  const openapi = await (await request.get("/api/openapi.json")).json();
  expect(Object.keys(openapi.paths)).toEqual(
    expect.arrayContaining(["/models", "/models/{modelId}/aliases/{alias}", "/artifacts/upload"]),
  );
});
