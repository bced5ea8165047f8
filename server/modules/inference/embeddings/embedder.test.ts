import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { estimateModelSize } from "../artifact/files";
import { InferenceEngine } from "../engine";
import { type EncoderModelOptions, writeEncoderModel } from "../model-builder/encoder-model";
import { writeTestModel } from "../model-builder/test-model";
import { inspectEncoder } from "./encoder-folder";
import { referenceModel } from "./testing/reference";

// Temp files and onnxruntime (CPU) only, no database: a unit test by this project's rule.
let root: string;
let count = 0;
const engine = new InferenceEngine({ device: "cpu" });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-embedder-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function encoder(options: EncoderModelOptions = {}) {
  const dir = path.join(root, `e${count++}`);
  await writeEncoderModel(dir, options);
  return { dir, name: `encoder-${count}` };
}

const TEXTS = [
  "hello world",
  "the cat sat on the mat, and the dog sat on the cat",
  "a",
  "what is the capital of france?",
];
const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tolerance);
};
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e as DomainError,
  );

describe("engine.embed", () => {
  it("equals the session run on each input alone, mean-pooled and normalised, for a padded batch", async () => {
    const ref = await encoder();
    const { vectors, tokens, device } = await engine.embed(ref, TEXTS);
    const reference = await referenceModel(ref.dir);
    for (const [i, text] of TEXTS.entries()) expectClose(vectors[i], await reference.embed(text));
    expect(tokens).toBe(TEXTS.reduce((n, t) => n + reference.tokenizer.encode(t).ids.length, 0));
    expect(device).toBe("cpu");
    await reference.release();
  });

  it("reads every export flavour: int32 ids, no token_type_ids, token_embeddings, a graph-pooled sentence_embedding", async () => {
    const base = (await engine.embed(await encoder(), TEXTS)).vectors;
    for (const options of [
      { idsType: "int32" },
      { tokenTypeIds: false },
      { tokenOutput: "token_embeddings" },
      { tokenOutput: null, pooledOutput: "sentence_embedding" },
    ] satisfies EncoderModelOptions[]) {
      const { vectors } = await engine.embed(await encoder(options), TEXTS);
      // Same seed and weights, only the I/O differs; without token_type_ids the seeded weights shift, so they differ.
      if (options.tokenTypeIds === false) expect(vectors[0]).not.toEqual(base[0]);
      else for (const [i, v] of vectors.entries()) expectClose(v, base[i]);
    }
  });

  it("follows 1_Pooling/config.json and the Normalize module", async () => {
    const text = "hello world";
    const reference = await referenceModel((await encoder()).dir);
    const mean = await reference.embed(text);
    const cls = (await engine.embed(await encoder({ pooling: "cls" }), [text])).vectors[0];
    expect(Math.hypot(...cls)).toBeCloseTo(1, 5);
    expect(Math.abs(cls[0] - mean[0])).toBeGreaterThan(1e-4);
    const raw = (await engine.embed(await encoder({ normalize: false }), [text])).vectors[0];
    expect(Math.hypot(...raw)).not.toBeCloseTo(1, 2);
    expectClose(
      raw.map((v) => v / Math.hypot(...raw)),
      mean,
    );
    // No modules.json: mean and normalised by default.
    expectClose((await engine.embed(await encoder({ pooling: null }), [text])).vectors[0], mean);
    await reference.release();
  });

  it("takes token ids as they are; refuses ids outside the vocabulary and inputs past the model's length", async () => {
    const ref = await encoder({ contextLength: 16 });
    const reference = await referenceModel(ref.dir);
    const ids = reference.tokenizer.encode("hello world").ids;
    expectClose((await engine.embed(ref, [ids])).vectors[0], await reference.embed(ids));
    const outside = await refusal(engine.embed(ref, [[2, 100000, 3]]));
    expect(outside?.code).toBe("VALIDATION");
    expect(outside?.message).toMatch(/^input\.0: token id 100000 is outside the vocabulary/);
    const long = await refusal(engine.embed(ref, ["a", "a ".repeat(20)]));
    expect(long?.message).toBe("input.1: input 1 has 22 tokens; this model reads at most 16");
    await reference.release();
  });

  it("refuses a causal LM with UNPROCESSABLE, and a reranker asked to embed", async () => {
    const dir = path.join(root, "decoder");
    await writeTestModel(dir);
    const decoder = await refusal(engine.embed({ dir }, ["x"]));
    expect(decoder).toBeInstanceOf(DomainError);
    expect(decoder?.code).toBe("UNPROCESSABLE");
    expect(decoder?.message).toMatch(/causal LM/);
    const reranker = await refusal(engine.embed(await encoder({ classifier: true }), ["x"]));
    expect(reranker?.code).toBe("BAD_REQUEST");
  });
});

describe("inspectEncoder", () => {
  it("reads the kind, ids type, output, pooling and the smallest configured max length", async () => {
    const { dir } = await encoder({ idsType: "int32", tokenTypeIds: false, pooling: "cls", contextLength: 48 });
    expect(await inspectEncoder(dir)).toMatchObject({
      kind: "embedding",
      idsType: "int32",
      tokenTypeIds: false,
      output: { name: "last_hidden_state", perToken: true },
      pooling: { modes: ["cls"], normalize: true, source: "modules.json" },
      maxLength: 48,
      padTokenId: 0,
    });
    const reranker = await inspectEncoder((await encoder({ classifier: true })).dir);
    expect(reranker).toMatchObject({ kind: "rerank", output: null, tokenTypeIds: true });
  });
});

describe("engine.rerank", () => {
  it("scores each pair as sigmoid(logit) of the pair alone; long documents are cut to the model's length", async () => {
    const ref = await encoder({ classifier: true, contextLength: 24 });
    const reference = await referenceModel(ref.dir);
    const query = "what is the capital of france?";
    const documents = ["paris is the capital of france", "the cat sat on the mat", "hello"];
    const { scores } = await engine.rerank(ref, query, documents);
    for (const [i, document] of documents.entries())
      expect(scores[i]).toBeCloseTo(await reference.score(query, document), 5);
    const cut = await engine.rerank(ref, query, ["dog ".repeat(40)]);
    expect(cut.tokens).toBe(24);
    expect(cut.scores[0]).toBeGreaterThan(0);
    // [CLS] + 21 query tokens + [SEP] + [SEP] = 24: no room left for the document.
    const long = await refusal(engine.rerank(ref, "dog ".repeat(21), ["a"]));
    expect(long?.message).toBe(
      "query: the query has 24 tokens with the document's special tokens; the model reads at most 24",
    );
    expect((await engine.rerank(ref, "dog ".repeat(20), ["a"])).tokens).toBe(24);
    await reference.release();
  });
});

describe("admission and sub-batches", () => {
  it("is BUSY past the per-model limit instead of queueing without bound", async () => {
    const strict = new InferenceEngine({ device: "cpu", maxRunningEmbedPerModel: 1, maxWaitingPerModel: 0 });
    const ref = await encoder();
    const first = strict.embed(ref, TEXTS);
    const second = await refusal(strict.embed(ref, ["x"]));
    expect(second?.code).toBe("BUSY");
    expect((await first).vectors).toHaveLength(TEXTS.length);
    await strict.close();
  });

  it("interleaves requests: a short one admitted beside a long one is not held until the long one ends", async () => {
    const ref = await encoder();
    const finished: string[] = [];
    const long = engine.embed(
      ref,
      Array.from({ length: 4 * 32 }, (_, i) => `hello world ${i}`),
    );
    const short = engine.embed(ref, ["a"]);
    await Promise.all([long.then(() => finished.push("long")), short.then(() => finished.push("short"))]);
    expect(finished).toEqual(["short", "long"]);
  });
});

describe("shared with generation", () => {
  it("counts encoders in the memory budget: loading a decoder unloads an idle encoder that would not fit beside it", async () => {
    const enc = await encoder();
    const decoderDir = path.join(root, "decoder-budget");
    await writeTestModel(decoderDir);
    const [encoderSize, decoderSize] = [await estimateModelSize(enc.dir), await estimateModelSize(decoderDir)];
    const small = new InferenceEngine({ device: "cpu", memoryBudgetBytes: Math.max(encoderSize, decoderSize) + 1 });
    await small.embed(enc, ["hello"]);
    expect(small.devices().models.map((m) => [m.key, m.device])).toEqual([[`encoder:${path.resolve(enc.dir)}`, "cpu"]]);
    await small.load({ dir: decoderDir });
    expect(small.devices().models.map((m) => m.key)).toEqual([path.resolve(decoderDir)]);
    expect(small.devices().memory.usedBytes).toBe(decoderSize);
    await small.close();
  });
});
