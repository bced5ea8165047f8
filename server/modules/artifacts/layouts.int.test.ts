/**
 * Real export layouts end to end: a transformers.js-style onnx/ folder with variants and external data is
 * uploaded through the REST handler, a genai_config.json folder is imported from the server's disk, versions
 * pick variants, and each is served through /v1/chat/completions (the official openai SDK) with the fp32
 * model's greedy text. A prompt at the edge of a 512-row position table whose tokenizer says 2048 ends
 * cleanly (`length` or a 400), never with a 500; the registry's context length is honoured.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleArtifactUpload } from "@/server/modules/artifacts/http";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { writeModelLayout } from "@/server/modules/inference/model-builder/layouts";
import { DEMO_REPLY } from "@/server/modules/inference/model-builder/pattern";
import { type TestModelOptions, writeTestModel } from "@/server/modules/inference/model-builder/test-model";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-layouts-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_IMPORT_DIRS = path.join(dataDir, "import");
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";
const variantsDir = path.join(dataDir, "upload", "variants");
const genaiDir = path.join(dataDir, "import", "genai");

let db: Db;
let key: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
let gateway: StandaloneGateway;
let client: OpenAI;
withTestDatabase((created) => {
  db = created;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

beforeAll(async () => {
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
  await writeModelLayout(variantsDir, {
    folder: "onnx",
    variants: ["fp32", "fp16", "quantized"],
    externalData: { files: 2 },
  });
  // onnxruntime-genai's layout: the decoder named in genai_config.json, a tokenizer that claims 2048 positions.
  await writeModelLayout(genaiDir, {
    variants: ["quantized"],
    genaiConfig: true,
    externalData: true,
    tokenizerMaxLength: 2048,
    omitConfigContext: true,
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink: new MemorySink(), promptCache: null });
  client = new OpenAI({ apiKey: key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The folder as a browser sends it: every file under its path, `variants/onnx/model.onnx`. */
async function uploadFolder(dir: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  const walk = async (relative: string) => {
    for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) await walk(name);
      else form.append("files", new Blob([await readFile(path.join(dir, name))]), `variants/${name}`);
    }
  };
  await walk("");
  for (const [name, content] of Object.entries(extra)) form.append("files", new Blob([content]), name);
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

async function register(name: string, artifactId: string, versions: (string | null)[], contextLength?: number) {
  const model = await owner().models.create({ name, provider: "onnx-local", task: "chat", contextLength });
  for (const onnxVariant of versions)
    await owner().models.createVersion({ modelId: model.id, artifactId, onnxVariant });
  return model;
}

const greedy = async (model: string, content = "Who are you?") => {
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content }],
    temperature: 0,
    max_tokens: 40,
  });
  return completion.choices[0];
};

describe("real export layouts through upload, import and /v1", () => {
  let variantsArtifact: string;
  let genaiArtifact: string;

  it("keeps an onnx/ folder's variants and external data at upload, and lists the variants", async () => {
    const uploaded = await uploadFolder(variantsDir, {
      "variants/README.md": "junk",
      "variants/../../etc/passwd": "nope",
      "variants/onnx/notes.txt": "junk",
    });
    expect(uploaded.status).toBe(201);
    expect(uploaded.body.files).toEqual([
      "config.json",
      "generation_config.json",
      "onnx/model.onnx",
      "onnx/model.onnx_data",
      "onnx/model.onnx_data_1",
      "onnx/model_fp16.onnx",
      "onnx/model_fp16.onnx_data",
      "onnx/model_fp16.onnx_data_1",
      "onnx/model_quantized.onnx",
      "onnx/model_quantized.onnx_data",
      "onnx/model_quantized.onnx_data_1",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    expect(uploaded.body.ignoredFiles).toHaveLength(3);
    expect(uploaded.body.inspection).toMatchObject({
      modelFile: "onnx/model_quantized.onnx",
      modelVariant: "quantized",
      variants: [
        { name: "fp32", file: "onnx/model.onnx" },
        { name: "fp16", file: "onnx/model_fp16.onnx" },
        { name: "quantized", file: "onnx/model_quantized.onnx" },
      ],
      externalData: ["model_quantized.onnx_data", "model_quantized.onnx_data_1"],
      contextLength: 512,
      contextLengthSource: "position table",
    });
    variantsArtifact = uploaded.body.id;
  });

  it("refuses a variant the artifact lacks when the version is created, naming those it has", async () => {
    const model = await owner().models.create({ name: "layouts-bad", provider: "onnx-local", task: "chat" });
    await expect(
      owner().models.createVersion({ modelId: model.id, artifactId: variantsArtifact, onnxVariant: "q4" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("variant 'q4' is not in this model folder; it has fp32 (onnx/model.onnx)"),
    });
  });

  it("serves every variant with the fp32 model's greedy text", async () => {
    await register("layouts", variantsArtifact, ["fp32", "fp16", "quantized", "onnx/model.onnx", null]);
    const fp32 = await greedy("layouts:1");
    expect(fp32.message.content).toBe(DEMO_REPLY);
    for (const version of [2, 3, 4, 5]) {
      const choice = await greedy(`layouts:${version}`);
      expect(choice.message.content, `version ${version}`).toBe(fp32.message.content);
      expect(choice.finish_reason).toBe("stop");
    }
    const stream = await client.chat.completions.create({
      model: "layouts:2",
      messages: [{ role: "user", content: "Who are you?" }],
      temperature: 0,
      stream: true,
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? "";
    expect(streamed).toBe(DEMO_REPLY);
  });

  it("imports a genai_config.json folder from the server's disk and never runs past its position table", async () => {
    const imported = await owner().artifacts.importFolder({ path: genaiDir });
    expect(imported.files).toEqual(expect.arrayContaining(["genai_config.json", "model_quantized.onnx_data"]));
    expect(imported.inspection).toMatchObject({ modelFile: "model_quantized.onnx", contextLength: 512 });
    genaiArtifact = imported.id;
    await register("genai", imported.id, [null]);

    // Measure the chat template's overhead, then fill the context to 510 prompt tokens.
    const probe = await client.chat.completions.create({
      model: "genai",
      messages: [{ role: "user", content: "a" }],
      temperature: 0,
      max_tokens: 1,
    });
    const overhead = probe.usage!.prompt_tokens - 1;
    const at510 = await client.chat.completions.create({
      model: "genai",
      messages: [{ role: "user", content: "a".repeat(510 - overhead) }],
      temperature: 0,
      max_tokens: 100,
    });
    expect(at510.usage!.prompt_tokens).toBe(510);
    expect(at510.choices[0].finish_reason).toBe("length");
    expect(at510.usage!.completion_tokens).toBeLessThanOrEqual(2);

    const over = client.chat.completions.create({
      model: "genai",
      messages: [{ role: "user", content: "a".repeat(520 - overhead) }],
      temperature: 0,
      stream: true,
    });
    await expect(over).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("this model's context is 512 tokens"),
    });
  });

  it("honours the registry's context length", async () => {
    await register("genai-short", genaiArtifact, [null], 256);
    await expect(
      client.chat.completions.create({
        model: "genai-short",
        messages: [{ role: "user", content: "a".repeat(300) }],
        temperature: 0,
      }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("this model's context is 256 tokens") });
    const fits = await greedy("genai-short");
    expect(fits.message.content).toBe(DEMO_REPLY);
  });

  it("serves the decoder variants through /v1: gapped hybrids, state-space, GQA, cache_position, token_type_ids, logits_to_keep", async () => {
    const variants: [string, TestModelOptions][] = [
      ["lfm2", { layerTypes: ["conv", "attention", "conv", "attention"], kvHeads: 2 }],
      ["mamba-hybrid", { layerTypes: ["mamba", "attention", "mamba", "attention"] }],
      ["state-space", { layerTypes: ["mamba", "mamba"] }],
      [
        "transformers-style",
        { cachePosition: true, positionIds: false, tokenTypeIds: true, logitsToKeep: "num_logits_to_keep" },
      ],
    ];
    for (const [name, options] of variants) {
      const dir = path.join(dataDir, "import", name);
      await writeTestModel(dir, options);
      const imported = await owner().artifacts.importFolder({ path: dir });
      await register(`variant-${name}`, imported.id, [null]);
      // Three at once (they decode together where the variant allows it), streamed and not.
      const answers = await Promise.all([
        greedy(`variant-${name}`),
        greedy(`variant-${name}`, "Hello there"),
        (async () => {
          const stream = await client.chat.completions.create({
            model: `variant-${name}`,
            messages: [{ role: "user", content: "Who are you?" }],
            temperature: 0,
            stream: true,
          });
          let text = "";
          for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
          return text;
        })(),
      ]);
      expect(answers[0].message.content, name).toBe(DEMO_REPLY);
      expect(answers[1].message.content, name).toBe(DEMO_REPLY);
      expect(answers[2], name).toBe(DEMO_REPLY);
    }
  });
});
