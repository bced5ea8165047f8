/** Encoder folders (embeddings, rerank) in the registry: upload with sentence-transformers' nested pooling config. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { writeEncoderModel } from "@/server/modules/inference/model-builder/encoder-model";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-encoder-artifacts-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

let db: Db;
let key: string;
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  const fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** Uploads a folder as a browser does: one `files` part per file, named by its path under the picked folder. */
async function uploadFolder(dir: string, replace: Record<string, string> = {}) {
  const form = new FormData();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    const content = replace[relative] ?? (await readFile(path.join(dir, relative)));
    form.append("files", new Blob([content as BlobPart]), `minilm/${relative}`);
  }
  const response = await handleArtifactUpload(
    new Request("http://localhost/api/rest/artifacts/upload", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    }),
    { db, session: async () => null },
  );
  return { status: response.status, body: await response.json() };
}

describe("encoder artifacts", () => {
  it("stores an encoder with its pooling config and says how it pools; a cross-encoder is a reranker", async () => {
    const dir = path.join(dataDir, "folders", "encoder");
    await writeEncoderModel(dir, { pooling: "cls", contextLength: 48 });
    const uploaded = await uploadFolder(dir);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.files).toEqual([
      "1_Pooling/config.json",
      "config.json",
      "model.onnx",
      "modules.json",
      "sentence_bert_config.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    expect(uploaded.body.inspection).toMatchObject({
      hasKvCache: false,
      hasChatTemplate: false,
      contextLength: 48,
      modelType: "bert",
      variant: null,
      encoder: { kind: "embedding", output: "last_hidden_state", pooling: ["cls"], normalize: true },
    });
    const rerankDir = path.join(dataDir, "folders", "reranker");
    await writeEncoderModel(rerankDir, { classifier: true });
    const reranker = await uploadFolder(rerankDir);
    expect(reranker.body.inspection.encoder).toMatchObject({ kind: "rerank", output: null });
  });

  it("refuses a broken pooling config with a 422 naming it, keeping nothing", async () => {
    const dir = path.join(dataDir, "folders", "weighted");
    await writeEncoderModel(dir);
    const before = await db.modelArtifact.count();
    const refused = await uploadFolder(dir, {
      "1_Pooling/config.json": JSON.stringify({ pooling_mode_weightedmean_tokens: true }),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(
      /as an encoder.*1_Pooling\/config\.json: pooling_mode_weightedmean_tokens/,
    );
    expect(await db.modelArtifact.count()).toBe(before);
  });
});
