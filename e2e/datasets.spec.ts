import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { projectIdOf, SHOTS, signIn } from "./helpers";

const chat = (user: string, assistant: string) =>
  JSON.stringify({
    messages: [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ],
  });

test("import with a visible progress bar, refuse a broken file, mask, split, export and re-import with the same hash", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-e2e-data-"));
  const good = path.join(dir, "support.jsonl");
  const lines = Array.from({ length: 3000 }, (_, i) =>
    chat(`Ticket ${i}: please call me on +44 20 7946 0958 or mail jo${i % 7}@example.com`, `Answer ${i % 50}`),
  );
  await writeFile(good, `${lines.join("\n")}\n`);
  // One line of every kind of problem (line numbers below are 1-based).
  const u = (content: string) => ({ role: "user", content });
  const a = (content: string) => ({ role: "assistant", content });
  const problems: (string | Buffer)[] = [
    `\uFEFF${chat("bom on the first line", "ok")}`, // 1 bom (warning)
    "{bad json", // 2 invalid_json
    "[1, 2]", // 3 data_type
    JSON.stringify({ nope: true }), // 4 missing_messages_list
    JSON.stringify({ messages: [{ role: "user" }, a("x")] }), // 5 message_missing_key
    JSON.stringify({ messages: [{ ...u("x"), foo: 1 }, a("y")] }), // 6 message_unrecognized_key
    JSON.stringify({ messages: [{ role: "wizard", content: "x" }, a("y")] }), // 7 unrecognized_role
    JSON.stringify({ messages: [{ role: "user", content: null }, a("y")] }), // 8 missing_content
    JSON.stringify({ messages: [u("no reply")] }), // 9 example_missing_assistant_message
    "", // 10 empty_line
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), // 11 invalid_utf8
    JSON.stringify({ messages: [u("many words ".repeat(12_000)), a("long")] }), // 12 too_many_tokens
    JSON.stringify({ prompt: "p", completion: "c" }), // 13 mixed_formats
    `${chat("crlf line", "ok")}\r`, // 14 crlf (warning)
    JSON.stringify({ messages: [u("y".repeat(1_100_000)), a("huge")] }), // 15 line_too_long
  ];
  const broken = path.join(dir, "broken.jsonl");
  await writeFile(broken, Buffer.concat(problems.map((p) => Buffer.concat([Buffer.from(p), Buffer.from("\n")]))));
  const lenientFile = path.join(dir, "lenient.jsonl");
  await writeFile(
    lenientFile,
    Buffer.concat([await readFile(broken), Buffer.from(`${lines.slice(0, 200).join("\n")}\n`)]),
  );

  await signIn(page);
  const projectId = projectIdOf(page);
  await page.goto(`/projects/${projectId}/datasets`);
  await page.getByRole("button", { name: "Import JSONL" }).first().click();
  let dialog = page.getByRole("dialog", { name: "Import a dataset" });
  await dialog.getByLabel("Dataset name").fill("broken-one");
  await dialog.locator("#dataset-file").setInputFiles(broken);
  await dialog.getByRole("button", { name: "Import" }).click();
  const errors = dialog.getByRole("alert");
  for (const line of [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15]) await expect(errors).toContainText(`line ${line}:`);
  await page.screenshot({ path: `${SHOTS}/dataset-import-errors.png` });
  // Lenient: the same problems among 200 good lines are skipped and reported.
  await dialog.getByLabel("Dataset name").fill("lenient-one");
  await dialog.getByLabel("Mode").selectOption("lenient");
  await dialog.locator("#dataset-file").setInputFiles(lenientFile);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "lenient-one" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("row", { name: /v1 import/ })).toContainText("202");
  await page.goto(`/projects/${projectId}/datasets`);
  await expect(page.getByRole("row", { name: /broken-one/ })).toHaveCount(0);

  // Slow the upload down so the progress bar is seen.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 120_000,
  });
  await page.getByRole("button", { name: "Import JSONL" }).first().click();
  dialog = page.getByRole("dialog", { name: "Import a dataset" });
  await dialog.getByLabel("Dataset name").fill("support-tickets");
  await dialog.locator("#dataset-file").setInputFiles(good);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("progressbar")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/dataset-import-progress.png` });
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expect(page.getByRole("heading", { level: 1, name: "support-tickets" })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("row", { name: /v1 import/ })).toContainText("3,000");

  await page.getByRole("button", { name: "Mask PII…" }).click();
  await page
    .getByRole("dialog", { name: /Mask personal data/ })
    .getByRole("button", { name: "Apply mask" })
    .click();
  await expect(page.getByRole("row", { name: /v2 mask/ })).toBeVisible();
  await expect(page.getByRole("table", { name: "Examples" })).toContainText("<EMAIL_1>");
  await expect(page.getByRole("table", { name: "Examples" })).toContainText("<PHONE_1>");
  await page.getByRole("button", { name: "Split…" }).click();
  await page
    .getByRole("dialog", { name: /Split into train/ })
    .getByRole("button", { name: "Apply split" })
    .click();
  await expect(page.getByRole("row", { name: /v3 split/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/dataset.png`, fullPage: true });

  // Export v3 over REST with the browser session, re-import it: same content hash.
  const dataset = page.url().split("/").at(-1)!;
  const detail = await (
    await page.request.get(`/api/rest/datasets/${dataset}`, { headers: { "x-switchyard-project": projectId } })
  ).json();
  const v3 = detail.versions.find((v: { version: number }) => v.version === 3);
  const exported = await page.request.get(`/api/rest/datasets/versions/${v3.id}/export`, {
    headers: { "x-switchyard-project": projectId },
  });
  expect(exported.status()).toBe(200);
  const body = await exported.body();
  const reimported = await page.request.post(`/api/rest/datasets/import?datasetId=${dataset}`, {
    headers: { "x-switchyard-project": projectId, "content-type": "application/jsonl" },
    data: body,
  });
  expect(reimported.status()).toBe(201);
  expect((await reimported.json()).version.contentHash).toBe(v3.contentHash);
});
