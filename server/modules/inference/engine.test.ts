import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifact } from "./artifact/inspect";
import { DecoderState } from "./decoder";
import { DeviceSelector, devicePreferenceFromEnv } from "./devices";
import { InferenceEngine } from "./engine";
import type { GenerateRequest } from "./generate";
import { DEMO_REPLY, type TestModelOptions, writeTestModel } from "./model-builder";
import { argmax } from "./sampling";
import type { GenerationEvent, ModelVariant } from "./types";

// Temp files and onnxruntime (CPU) only, no database: a unit test by this project's rule.
let root: string;
let count = 0;
const engine = new InferenceEngine({ device: "cpu" });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-engine-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function model(options: TestModelOptions = {}) {
  const dir = path.join(root, `m${count++}`);
  await writeTestModel(dir, options);
  return { dir, name: `tiny-${count}` };
}

async function collect(stream: AsyncGenerator<GenerationEvent>) {
  const deltas: string[] = [];
  for await (const event of stream) {
    if (event.type === "delta") deltas.push(event.text);
    else return { deltas, text: event.text, stats: event.stats };
  }
  throw new Error("no done event");
}

const chat: GenerateRequest = { messages: [{ role: "user", content: "Who are you?" }], temperature: 0 };
const isWellFormed = (text: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

/** Name, builder options, and what `discoverVariant` must read from the model's graph. */
const VARIANTS: [string, TestModelOptions, Partial<ModelVariant>?][] = [
  ["default: int64 ids, per-layer float32 cache, position_ids", {}],
  ["int32 ids", { idsType: "int32" }],
  ["float16 cache", { cacheType: "float16" }],
  ["combined past_N cache", { cacheLayout: "combined" }],
  ["no position_ids", { positionIds: false }],
  ["merged decoder (use_cache_branch)", { useCacheBranch: true }],
  ["hybrid conv state", { convState: true }],
  ["no KV cache at all", { kvCache: false }],
  [
    "everything at once",
    {
      idsType: "int32",
      cacheType: "float16",
      cacheLayout: "combined",
      positionIds: false,
      useCacheBranch: true,
      convState: true,
    },
  ],
  [
    "LFM2 hybrid: conv on layers 0 and 2, attention on 1 and 3",
    { layerTypes: ["conv", "attention", "conv", "attention"] },
    { layers: 4, attentionLayers: [1, 3], convState: true },
  ],
  ["grouped-query attention (2 KV heads for 4)", { kvHeads: 2 }, { kvHeads: 2, headSize: 24 }],
  [
    "multi-query attention, combined past_N",
    { kvHeads: 1, cacheLayout: "combined" },
    { kvHeads: 1, cacheLayout: "combined" },
  ],
  ["cache_position", { cachePosition: true, positionIds: false }, { cachePosition: "int64", positionIds: null }],
  ["token_type_ids", { tokenTypeIds: true }, { tokenTypeIds: "int64" }],
  ["logits_to_keep", { logitsToKeep: "logits_to_keep" }, { logitsToKeep: expect.objectContaining({ dims: [] }) }],
  ["num_logits_to_keep", { logitsToKeep: "num_logits_to_keep" }, { logitsToKeep: expect.anything() }],
  [
    "Mamba hybrid: past_conv.N + past_ssm.N on 0 and 2",
    { layerTypes: ["mamba", "attention", "mamba", "attention"] },
    { attentionLayers: [1, 3], convState: true, ssmState: true },
  ],
  [
    "state-space only (no KV cache)",
    { layerTypes: ["mamba", "mamba"] },
    { cacheLayout: null, attentionLayers: [], ssmState: true },
  ],
  [
    "a transformers-style hybrid: merged, float16, GQA, cache_position, logits_to_keep, gaps",
    {
      cacheType: "float16",
      useCacheBranch: true,
      kvHeads: 2,
      cachePosition: true,
      tokenTypeIds: true,
      logitsToKeep: "logits_to_keep",
      layerTypes: ["mamba", "attention", "conv", "attention"],
    },
    { useCacheBranch: true, kvHeads: 2, attentionLayers: [1, 3], layers: 4, ssmState: true },
  ],
];

describe.each(VARIANTS)("variant: %s", (_, options, expected) => {
  it("decodes the same with the cache as by full recompute, logits included", async () => {
    const ref = await model(options);
    for (const request of [chat, { prompt: "abc", temperature: 0, maxTokens: 40 }]) {
      const cached = await engine.complete(ref, { ...request, useCache: true });
      const recomputed = await engine.complete(ref, { ...request, useCache: false });
      expect(cached.text).toBe(recomputed.text);
    }
    const greedy = await engine.complete(ref, chat);
    expect(greedy.text).toBe(DEMO_REPLY);
    expect(greedy.stats.finishReason).toBe("eos");

    const opened = await openArtifact(ref.dir, new DeviceSelector("cpu"));
    try {
      if (expected) expect(opened.info.variant).toMatchObject(expected);
      const prompt = opened.tokenizer.encode("Hello world, abc");
      const withCache = new DecoderState(opened.session, opened.info.variant, true);
      const without = new DecoderState(opened.session, opened.info.variant, false);
      let a = await withCache.forward(prompt);
      let b = await without.forward(prompt);
      const tolerance = options.cacheType === "float16" ? 5e-3 : 1e-4;
      for (let step = 0; step < 12; step++) {
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        expect(worst).toBeLessThan(tolerance);
        const next = argmax(a);
        [a, b] = await Promise.all([withCache.forward([next]), without.forward([next])]);
      }
    } finally {
      await opened.session.release();
    }
  });
});

describe("InferenceEngine.generate", () => {
  let ref: { dir: string; name: string };
  beforeAll(async () => {
    ref = await model();
  });

  it("greedy decoding follows the test model's pattern, with stats", async () => {
    const { text, stats } = await engine.complete(ref, { prompt: "abc", temperature: 0, maxTokens: 5 });
    expect(text).toBe("defgh");
    expect(stats).toMatchObject({ finishReason: "length", tokensIn: 3, tokensOut: 5, device: "cpu" });
    expect(stats.ttftMs).toBeGreaterThan(0);
    expect(stats.tpotMs).toBeGreaterThan(0);
    expect(stats.tokensPerSecond).toBeGreaterThan(0);
    const chatResult = await engine.complete(ref, chat);
    // "Hello", "!", " I", " am", " a", " tiny", " demo", " model", " ", 4 rocket bytes, "." then <|im_end|>.
    expect(chatResult.stats).toMatchObject({ finishReason: "eos", tokensOut: 14 });
  });

  it("the same seed gives the same text; another seed can differ", async () => {
    const sample = (seed: number) => engine.complete(ref, { prompt: "abc", temperature: 1, seed, maxTokens: 24 });
    const first = await sample(42);
    expect((await sample(42)).text).toBe(first.text);
    expect(first.stats.seed).toBe(42);
    const others = await Promise.all([1, 2, 3, 4].map((seed) => sample(seed)));
    expect(others.some((other) => other.text !== first.text)).toBe(true);
  });

  it("streams whole characters only: the deltas add up to the text", async () => {
    const { deltas, text } = await collect(engine.generate(ref, chat));
    expect(deltas.join("")).toBe(text);
    expect(text).toBe(DEMO_REPLY);
    for (const delta of deltas) {
      expect(delta).not.toContain("\uFFFD");
      expect(isWellFormed(delta)).toBe(true);
    }
    expect(deltas).toContain("🚀");
  });

  it("stops before a stop sequence, which is not emitted", async () => {
    const raw = await collect(engine.generate(ref, { prompt: "abc", temperature: 0, stop: ["gh"], maxTokens: 20 }));
    expect(raw).toMatchObject({ text: "def", stats: { finishReason: "stop" } });
    expect(raw.deltas.join("")).toBe("def");
    const chatStop = await engine.complete(ref, { ...chat, stop: [" tiny", "zzz"] });
    expect(chatStop).toMatchObject({ text: "Hello! I am a", stats: { finishReason: "stop" } });
  });

  it("stops at max tokens and at the context length", async () => {
    expect((await engine.complete(ref, { prompt: "xyz", temperature: 0, maxTokens: 4 })).text).toBe("abcd");
    const long = "a".repeat(508);
    const capped = await engine.complete(ref, { prompt: long, temperature: 0, maxTokens: 100 });
    expect(capped.stats).toMatchObject({ tokensIn: 508, tokensOut: 4, finishReason: "length" });
    await expect(engine.complete(ref, { prompt: "a".repeat(600) })).rejects.toMatchObject({
      code: "VALIDATION",
      message: "the prompt is 600 tokens; this model's context is 512 tokens",
    });
  });

  it("rejects bad parameters before generating", async () => {
    await expect(engine.complete(ref, { prompt: "abc", temperature: -1 })).rejects.toMatchObject({
      code: "VALIDATION",
    });
    await expect(engine.complete(ref, { messages: [] })).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("an abort ends generation at the next step", async () => {
    const controller = new AbortController();
    const stream = engine.generate(ref, {
      prompt: "a",
      temperature: 0,
      maxTokens: 400,
      ignoreEos: true,
      signal: controller.signal,
    });
    let deltas = 0;
    let done: Extract<GenerationEvent, { type: "done" }> | undefined;
    for await (const event of stream) {
      if (event.type === "done") done = event;
      else if (++deltas === 3) controller.abort();
    }
    expect(done?.stats).toMatchObject({ finishReason: "abort", tokensOut: 3 });
    expect(done?.text).toBe("bcd");

    const aborted = new AbortController();
    aborted.abort();
    const early = await engine.complete(ref, { prompt: "a", signal: aborted.signal });
    expect(early).toMatchObject({ text: "", stats: { finishReason: "abort", tokensOut: 0 } });
  });
});

describe("InferenceEngine queue, memory and devices", () => {
  it("refuses with BUSY past the queue bound, and serves the queue in order", async () => {
    const small = new InferenceEngine({ device: "cpu", maxRunningPerModel: 1, maxWaitingPerModel: 1 });
    const ref = { ...(await model()), name: "tiny" };
    const long = { prompt: "a", temperature: 0, maxTokens: 50, ignoreEos: true };
    try {
      await small.load(ref);
      // Admission is decided synchronously when each generator starts, so the three arrive in this order whatever
      // the model's speed: one runs, one waits, one is refused.
      const running = small.generate(ref, long);
      const first = running.next();
      const waiting = small.complete(ref, long);
      const refused = small.complete(ref, long);
      expect(small.devices().models[0]).toMatchObject({ name: "tiny", running: 1, waiting: 1, device: "cpu" });
      await expect(refused).rejects.toMatchObject({
        code: "BUSY",
        message: "model tiny is busy: 1 requests waiting",
      });
      expect((await first).value).toMatchObject({ type: "delta" });
      await running.return(undefined);
      expect((await waiting).stats.tokensOut).toBe(50);
    } finally {
      await small.close();
    }
  });

  it("unloads the least recently used idle model to stay within the memory budget", async () => {
    const first = await model();
    const second = await model();
    const size = (await engine.load(first)).info.sizeBytes;
    const tight = new InferenceEngine({ device: "cpu", memoryBudgetBytes: Math.floor(size * 1.5) });
    try {
      await tight.load({ ...first, key: "first" });
      expect(tight.devices().models.map((m) => m.key)).toEqual(["first"]);
      await tight.complete({ ...second, key: "second" }, { prompt: "abc", temperature: 0, maxTokens: 2 });
      expect(tight.devices().models.map((m) => m.key)).toEqual(["second"]);
      expect(tight.devices().memory.usedBytes).toBeLessThanOrEqual(tight.memoryBudgetBytes);

      const tiny = new InferenceEngine({ device: "cpu", memoryBudgetBytes: 1000 });
      await expect(tiny.load({ ...first, name: "big" })).rejects.toMatchObject({
        code: "UNPROCESSABLE",
        message: expect.stringMatching(/^model big needs 1\.3 MiB; the inference memory budget is 1000 bytes$/),
      });
    } finally {
      await tight.close();
    }
  });

  it("reports a bad artifact on the first event", async () => {
    await expect(engine.complete({ dir: path.join(root, "missing") }, { prompt: "abc" })).rejects.toMatchObject({
      code: "UNPROCESSABLE",
    });
  });

  it("falls back to CPU when no GPU provider starts, and says why", async () => {
    const selector = new DeviceSelector("auto");
    const ref = await model();
    const { session, device } = await selector.createSession(path.join(ref.dir, "model.onnx"));
    await session.release();
    const status = selector.status();
    expect(status[device].status).toBe("available");
    if (device === "cpu") {
      expect(status.cuda.status).toBe("unavailable");
      expect(status.cuda.error).toBeTruthy();
    }
    expect(devicePreferenceFromEnv(undefined)).toBe("auto");
    expect(devicePreferenceFromEnv("cuda")).toBe("cuda");
    expect(() => devicePreferenceFromEnv("gpu")).toThrow(
      /SWITCHYARD_INFERENCE_DEVICE must be one of auto, cpu, cuda, webgpu/,
    );
    const report = await new InferenceEngine({ device: "cpu" }).probeDevices();
    expect(report).toMatchObject({
      preference: "cpu",
      devices: { cpu: { status: "available" }, cuda: { status: "untried" } },
    });
  });
});
