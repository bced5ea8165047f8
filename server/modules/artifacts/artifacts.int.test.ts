/** Artifacts end to end: upload, inspection, rejection that keeps nothing, import, and local generation. */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { artifactStore, artifactsRoot } from "@/server/modules/artifacts/store";
import { DEMO_REPLY } from "@/server/modules/inference/model-builder/pattern";
import { writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { DEMO_MODEL_NAME, registerDemoModel } from "@/server/modules/models/demo";
import { streamRunResponse } from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-artifacts-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_IMPORT_DIRS = path.join(dataDir, "import");
const modelDir = path.join(dataDir, "import", "tiny");

let db: Db;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
  await writeTestModel(modelDir);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const deps = () => ({ db, session: async () => null });
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

async function upload(files: Record<string, Uint8Array | string>) {
  const form = new FormData();
  for (const [name, content] of Object.entries(files))
    form.append("files", new Blob([content as BlobPart]), `tiny/${name}`);
  const response = await handleArtifactUpload(
    new Request("http://localhost/api/rest/artifacts/upload", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    }),
    deps(),
  );
  return { status: response.status, body: await response.json() };
}

async function folderFiles(): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const name of await readdir(modelDir)) out[name] = await readFile(path.join(modelDir, name));
  return out;
}

const blobCount = async () => {
  const root = path.join(artifactsRoot(), "blobs");
  const shards = await readdir(root).catch(() => [] as string[]);
  let n = 0;
  for (const shard of shards) n += (await readdir(path.join(root, shard))).length;
  return n;
};

describe("artifact upload", () => {
  it("stores a model folder content-addressed, reports what inspection found, and deduplicates", async () => {
    const first = await upload({ ...(await folderFiles()), "README.md": "ignored" });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      deduplicated: false,
      files: ["config.json", "generation_config.json", "model.onnx", "tokenizer.json", "tokenizer_config.json"],
      ignoredFiles: [expect.stringMatching(/README\.md$/)],
      inspection: { hasKvCache: true, hasChatTemplate: true },
    });
    expect(first.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.body.inspection.parameterCount).toBeGreaterThan(10_000);
    expect(first.body.inspection.inputs.map((i: { name: string }) => i.name)).toContain("past_key_values.0.key");
    const second = await upload(await folderFiles());
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, deduplicated: true } });
  });

  it("rejects a corrupt ONNX file and a folder without a tokenizer, keeping nothing", async () => {
    const artifacts = await db.modelArtifact.count();
    const blobs = await blobCount();
    const files = await folderFiles();
    const corrupt = await upload({ ...files, "model.onnx": new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.error.message).toMatch(/model\.onnx/);
    const { "tokenizer.json": _, ...withoutTokenizer } = files;
    const noTokenizer = await upload(withoutTokenizer);
    expect(noTokenizer.status).toBe(422);
    expect(noTokenizer.body.error.message).toMatch(/tokenizer\.json/);
    const nothing = await upload({ "notes.txt": "hello" });
    expect(nothing.status).toBe(422);
    expect(await db.modelArtifact.count()).toBe(artifacts);
    expect(await blobCount()).toBe(blobs);
    expect(await readdir(path.join(artifactsRoot(), "staging"))).toEqual([]);
  });

  it("refuses a non-multipart body with 400", async () => {
    const response = await handleArtifactUpload(
      new Request("http://localhost/api/rest/artifacts/upload", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: "{}",
      }),
      deps(),
    );
    expect(response.status).toBe(400);
  });

  it("refuses multipart without a boundary, or with a malformed one, with 400 naming content-type", async () => {
    for (const type of [
      "multipart/form-data",
      "multipart/form-data; boundary=",
      "multipart/form-data; boundary=\u00e9",
    ]) {
      const response = await handleArtifactUpload(
        new Request("http://localhost/api/rest/artifacts/upload", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": type },
          body: "--x\r\n",
        }),
        deps(),
      );
      expect(response.status, type).toBe(400);
      expect((await response.json()).error.issues[0].path).toBe("content-type");
    }
  });

  it("imports a folder from the server's import directory only", async () => {
    const imported = await owner().artifacts.importFolder({ path: modelDir });
    expect(imported.deduplicated).toBe(true);
    const outside = await mkdtemp(path.join(tmpdir(), "switchyard-outside-"));
    await writeFile(path.join(outside, "model.onnx"), "x");
    await expect(owner().artifacts.importFolder({ path: outside })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner().artifacts.importFolder({ path: "relative/path" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await rm(outside, { recursive: true, force: true });
  });
});

describe("local generation", () => {
  it("registers the demo model once, and streams its predictable reply through the playground route", async () => {
    const actor = { type: "system" as const, userId: null, keyId: null, label: "test" };
    const other = await makeProject(db, "Demo target");
    const demo = await registerDemoModel({ db, store: artifactStore() }, { projectId: other.project.id, actor });
    expect(demo).toMatchObject({ version: 1 });
    expect(await registerDemoModel({ db, store: artifactStore() }, { projectId: other.project.id, actor })).toBeNull();
    const otherKey = (await makeApiKey(db, other.project.id)).key;

    const run = async () => {
      const response = await streamRunResponse(
        new Request("http://localhost/api/rest/playground/stream", {
          method: "POST",
          headers: { authorization: `Bearer ${otherKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: `${DEMO_MODEL_NAME}@production`,
            input: { messages: [{ role: "user", content: "Hi" }] },
          }),
        }),
        deps(),
      );
      expect(response.status).toBe(200);
      const events = (await response.text())
        .split("\n\n")
        .filter(Boolean)
        .map((b) => ({ event: b.split("\n")[0].slice(7), data: JSON.parse(b.split("\n")[1].slice(6)) }));
      return events;
    };
    const events = await run();
    const text = events
      .filter((e) => e.event === "delta")
      .map((e) => e.data.text)
      .join("");
    expect(text).toBe(DEMO_REPLY);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data.stats).toMatchObject({ device: "cpu", finishReason: "eos" });
    expect(done.data.stats.tokensOut).toBeGreaterThan(5);
    expect(done.data.stats.costUsd).toBeGreaterThan(0);
    const again = await run();
    expect(
      again
        .filter((e) => e.event === "delta")
        .map((e) => e.data.text)
        .join(""),
    ).toBe(text);
    const stored = await db.inferenceRun.findUniqueOrThrow({ where: { id: done.data.runId } });
    expect(stored.device).toBe("cpu");
  });
});
