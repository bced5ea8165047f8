/**
 * Local encoders through real HTTP (the standalone node:http entry): `/v1/embeddings` driven by the official `openai`
 * SDK and `/v1/rerank` by fetch, compared with a plain reference (the ONNX session run on each input alone, pooled
 * and normalised by hand in testing/reference.ts); each served request leaves one request-log row and one
 * inference run.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { referenceModel } from "@/server/modules/inference/embeddings/testing/reference";
import { type EncoderModelOptions, writeEncoderModel } from "@/server/modules/inference/model-builder/encoder-model";
import { type FakeUpstream, sendJson, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-local-embeddings-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";
process.env.SWITCHYARD_IMPORT_DIRS = path.join(dataDir, "import");

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let embedDir: string;
let rerankDir: string;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const CONTEXT = 32;

/** Writes the encoder under the import folder and registers `name` v1 on it through the registry's folder import. */
async function registerEncoder(
  name: string,
  task: "embedding" | "classification" | "chat",
  options: EncoderModelOptions,
) {
  const dir = path.join(dataDir, "import", name);
  await writeEncoderModel(dir, options);
  const artifact = await fixture.caller.artifacts.importFolder({ path: dir });
  const model = await fixture.caller.models.create({ name, provider: "onnx-local", task, pricePerComputeSecond: 0.01 });
  await fixture.caller.models.createVersion({ modelId: model.id, artifactId: artifact.id });
  return dir;
}

beforeAll(async () => {
  // An upstream reranker in the Cohere/Jina shape: scores by document length, a usage block.
  fake = await startFakeUpstream((req, res) => {
    const body = req.body as { documents: string[]; model: string };
    if (body.documents[0] === "upstream-breaks") return sendJson(res, 500, { error: { message: "down" } });
    sendJson(res, 200, {
      id: "rr-1",
      results: body.documents.map((d, index) => ({ index, relevance_score: 1 / (1 + d.length) })),
      model: body.model,
      usage: { total_tokens: 11 },
    });
  });
  fixture = await gatewayFixture(db, fake.origin);
  const upstreamReranker = await fixture.caller.models.create({
    name: "fake-rerank",
    provider: "openai-compatible",
    task: "classification",
    priceInputPerMTok: 2,
  });
  await fixture.caller.models.createVersion({
    modelId: upstreamReranker.id,
    endpointBaseUrl: `${fake.origin}/v1`,
    upstreamModelId: "bge-reranker-v2-m3",
    apiKey: "sk-rerank",
  });
  embedDir = await registerEncoder("local-embed", "embedding", { contextLength: CONTEXT });
  rerankDir = await registerEncoder("local-rerank", "classification", { classifier: true, contextLength: CONTEXT });
  await registerEncoder("encoder-as-chat", "chat", { seed: 3 });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const logOf = async (requestId: string | null) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );
const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(1e-5);
};

const TEXTS = [
  "hello world",
  "the cat sat on the mat, and then the dog sat on the cat",
  "a",
  "what is the capital of france?",
];

describe("POST /v1/embeddings on a local encoder", () => {
  it("returns normalised vectors equal to the reference for a batch of different lengths; logged with its device", async () => {
    const { data, response } = await client.embeddings
      .create({ model: "local-embed", input: TEXTS, encoding_format: "float" })
      .withResponse();
    const reference = await referenceModel(embedDir);
    expect(data.object).toBe("list");
    expect(data.model).toBe("local-embed@1");
    expect(data.data.map((d) => [d.object, d.index])).toEqual(TEXTS.map((_, i) => ["embedding", i]));
    for (const [i, text] of TEXTS.entries()) {
      expect(Math.hypot(...data.data[i].embedding)).toBeCloseTo(1, 5);
      expectClose(data.data[i].embedding, await reference.embed(text));
    }
    const tokens = TEXTS.reduce((n, t) => n + reference.tokenizer.encode(t).ids.length, 0);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    expect(response.headers.get("x-switchyard-model-version")).toBe("local-embed@1");
    const log = await logOf(response.headers.get("x-request-id"));
    // The device on the log row is what "Compare models" measures gateway traffic by.
    expect(log).toMatchObject({
      status: 200,
      path: "/v1/embeddings",
      tokensIn: tokens,
      tokensOut: 0,
      deployment: "local:cpu",
      device: "cpu",
    });
    await reference.release();
  });

  it("decodes the SDK's default base64, cuts to `dimensions` and renormalises, and takes token ids", async () => {
    const reference = await referenceModel(embedDir);
    const full = await reference.embed("hello world");
    const base64 = await client.embeddings.create({ model: "local-embed", input: "hello world" });
    expectClose(base64.data[0].embedding, full);
    const cut = await client.embeddings.create({ model: "local-embed", input: "hello world", dimensions: 8 });
    const head = full.slice(0, 8);
    expectClose(
      cut.data[0].embedding,
      head.map((v) => v / Math.hypot(...head)),
    );
    const ids = reference.tokenizer.encode("the dog").ids;
    const byIds = await client.embeddings.create({ model: "local-embed", input: [ids], encoding_format: "float" });
    expectClose(byIds.data[0].embedding, await reference.embed(ids));
    await reference.release();
  });
});

const rerank = (body: unknown) =>
  fetch(`${gateway.origin}/v1/rerank`, {
    method: "POST",
    headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("POST /v1/rerank on a local cross-encoder", () => {
  it("scores every document as the reference does, best first; top_n and return_documents; logged and recorded", async () => {
    const query = "what is the capital of france?";
    const documents = ["paris is the capital of france", { text: "the cat sat on the mat" }, "hello", "a dog"];
    const texts = documents.map((d) => (typeof d === "string" ? d : d.text));
    const res = await rerank({ model: "local-rerank", query, documents, top_n: 3, return_documents: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      model: string;
      results: { index: number; relevance_score: number; document: { text: string } }[];
      usage: { total_tokens: number };
    };
    const reference = await referenceModel(rerankDir);
    const expected = await Promise.all(texts.map((t) => reference.score(query, t)));
    const order = expected.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score);
    expect(body.model).toBe("local-rerank@1");
    expect(body.results.map((r) => r.index)).toEqual(order.slice(0, 3).map((o) => o.index));
    for (const result of body.results) {
      expect(Math.abs(result.relevance_score - expected[result.index])).toBeLessThan(1e-5);
      expect(result.document).toEqual({ text: texts[result.index] });
    }
    const tokens = texts.reduce((n, t) => n + reference.tokenizer.encode(query, { text_pair: t }).ids.length, 0);
    expect(body.usage).toEqual({ total_tokens: tokens });
    const log = await logOf(res.headers.get("x-request-id"));
    expect(body.id).toBe(log.id);
    expect(log).toMatchObject({ status: 200, path: "/v1/rerank", tokensIn: tokens, requestedModel: "local-rerank" });
    expect(log).toMatchObject({ device: "cpu", deployment: "local:cpu" });
    await reference.release();
  });
});

describe("POST /v1/rerank on an OpenAI-compatible upstream", () => {
  it("passes the body through with the upstream's model name and returns its answer as sent; a 5xx there is a 502", async () => {
    const res = await rerank({ model: "fake-rerank", query: "q", documents: ["ab", "a"], top_n: 1, extra: true });
    expect(res.status).toBe(200);
    const upstream = fake.requests.at(-1)!;
    expect(upstream.path).toBe("/v1/rerank");
    expect(upstream.headers.authorization).toBe("Bearer sk-rerank");
    expect(upstream.body).toEqual({
      model: "bge-reranker-v2-m3",
      query: "q",
      documents: ["ab", "a"],
      top_n: 1,
      extra: true,
    });
    const body = (await res.json()) as {
      id: string;
      model: string;
      results: unknown[];
      switchyard: { modelVersion: string };
    };
    expect(body).toMatchObject({ id: "rr-1", model: "fake-rerank@1", switchyard: { modelVersion: "fake-rerank@1" } });
    expect(body.results).toEqual([
      { index: 0, relevance_score: 1 / 3 },
      { index: 1, relevance_score: 1 / 2 },
    ]);
    const log = await logOf(res.headers.get("x-request-id"));
    expect(log).toMatchObject({ status: 200, path: "/v1/rerank", tokensIn: 11 });
    expect(log.costUsd).toBeCloseTo((11 * 2) / 1e6, 12);
    const broken = await rerank({ model: "fake-rerank", query: "q", documents: ["upstream-breaks"] });
    expect(broken.status).toBe(502);
  });
});

describe("refusals: a 4xx naming the problem, logged, never a 5xx", () => {
  const statusOf = async (requestId: string | null) => (await logOf(requestId)).status;

  it("embeddings: empty input, too many inputs, an over-long input, dimensions past the width, a reranker", async () => {
    const cases: [unknown, RegExp][] = [
      [{ input: "" }, /^400 input: input must not be an empty string/],
      [{ input: [] }, /^400 input: input must not be an empty array/],
      [{ input: new Array(2049).fill("a") }, /^400 input: input may hold at most 2048 items/],
      [
        { input: ["a", "dog ".repeat(CONTEXT)] },
        new RegExp(`^400 input.1: input 1 has ${CONTEXT + 2} tokens; this model reads at most ${CONTEXT}`),
      ],
      [{ input: "a", dimensions: 33 }, /^400 dimensions: this model's vectors have 32 dimensions/],
      [{ input: "a", model: "local-rerank" }, /'local-rerank@1' is a classification model; \/v1\/embeddings serves/],
    ];
    for (const [body, message] of cases) {
      const error = await refusal(
        client.embeddings.create({ model: "local-embed", ...(body as { input: string }), encoding_format: "float" }),
      );
      expect(error?.status, String(message)).toBe(400);
      expect(error!.message).toMatch(message);
      expect(await statusOf(error!.headers?.get("x-request-id") ?? null)).toBe(400);
    }
  });

  it("rerank: bad fields name themselves; a model of another task is a 400", async () => {
    const cases: [unknown, RegExp][] = [
      [{ model: "local-rerank", documents: ["x"] }, /^query: query must be a non-empty string/],
      [{ model: "local-rerank", query: "q", documents: [] }, /^documents: documents must not be empty/],
      [{ model: "local-rerank", query: "q", documents: ["x", 3] }, /^documents.1: a document must be a string/],
      [{ model: "local-rerank", query: "q", documents: ["x"], top_n: 0 }, /^top_n: top_n must be a positive integer/],
      [
        { model: "local-embed", query: "q", documents: ["x"] },
        /'local-embed@1' is a embedding model; \/v1\/rerank serves/,
      ],
      [{ model: "fake-gpt", query: "q", documents: ["x"] }, /'fake-gpt@1' is a chat model; \/v1\/rerank serves/],
    ];
    for (const [body, message] of cases) {
      const res = await rerank(body);
      const json = (await res.json()) as { error: { message: string } };
      expect(res.status, String(message)).toBe(400);
      expect(json.error.message).toMatch(message);
      expect(await statusOf(res.headers.get("x-request-id"))).toBe(400);
    }
  });

  it("an encoder registered as a chat model answers chat with a 4xx that says why", async () => {
    const error = await refusal(
      client.chat.completions.create({ model: "encoder-as-chat", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(error?.status).toBeGreaterThanOrEqual(400);
    expect(error?.status).toBeLessThan(500);
    expect(error!.message).toMatch(/logits/);
    const status = await statusOf(error!.headers?.get("x-request-id") ?? null);
    expect(status).toBe(error!.status);
  });
});
