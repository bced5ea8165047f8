import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InferenceEngine, type ModelRef, maxBatchFromEnv } from "../engine";
import type { GenerateRequest } from "../generate";
import { DEMO_REPLY, type TestModelOptions, writeTestModel } from "../model-builder";
import type { GenerationEvent } from "../types";

// Real onnxruntime (CPU) on the test model; no database: a unit test by this project's rule.
let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-batching-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function model(options: TestModelOptions = {}): Promise<ModelRef> {
  const dir = path.join(root, `m${count++}`);
  await writeTestModel(dir, options);
  return { dir, name: `tiny-${count}` };
}

async function withEngine<T>(
  options: ConstructorParameters<typeof InferenceEngine>[0],
  run: (e: InferenceEngine) => Promise<T>,
) {
  const engine = new InferenceEngine({ device: "cpu", ...options });
  try {
    return await run(engine);
  } finally {
    await engine.close();
  }
}

const texts = async (engine: InferenceEngine, ref: ModelRef, requests: GenerateRequest[]) =>
  (await Promise.all(requests.map((r) => engine.complete(ref, r)))).map((r) => `${r.stats.finishReason}:${r.text}`);

const alone = async (engine: InferenceEngine, ref: ModelRef, requests: GenerateRequest[]) => {
  const out: string[] = [];
  for (const r of requests) out.push(...(await texts(engine, ref, [r])));
  return out;
};

/** Decode steps and their rows so far; `meanBatchSince` > 1 only if sequences really decoded together. */
const counters = (engine: InferenceEngine) => {
  const { steps, stepRows } = engine.devices().models[0];
  return { steps, stepRows };
};
const meanBatchSince = (engine: InferenceEngine, before: { steps: number; stepRows: number }) => {
  const now = counters(engine);
  return (now.stepRows - before.stepRows) / (now.steps - before.steps);
};

const chat = (content: string): GenerateRequest => ({ messages: [{ role: "user", content }], temperature: 0 });

// Different prompt lengths (3 to ~300 tokens) and max tokens; eos, length and stop endings.
const GREEDY: GenerateRequest[] = [
  { prompt: "abc", temperature: 0, maxTokens: 30 },
  chat("Who are you?"),
  { prompt: "Hello world, xyz", temperature: 0, maxTokens: 12 },
  { prompt: "k".repeat(120), temperature: 0, maxTokens: 45, ignoreEos: true },
  { prompt: "mnop", temperature: 0, maxTokens: 40, stop: ["uv"] },
  { prompt: "a".repeat(300), temperature: 0, maxTokens: 20 },
];

const VARIANTS: [string, TestModelOptions][] = [
  ["per-layer float32 cache", {}],
  ["float16 cache", { cacheType: "float16" }],
  ["combined past_N cache", { cacheLayout: "combined", idsType: "int32" }],
  ["merged decoder (use_cache_branch)", { useCacheBranch: true }],
  ["hybrid conv state", { convState: true }],
  [
    "transformers-style hybrid: float16, GQA, cache_position, logits_to_keep, mamba + conv + attention",
    {
      cacheType: "float16",
      kvHeads: 2,
      cachePosition: true,
      logitsToKeep: "logits_to_keep",
      layerTypes: ["mamba", "attention", "conv", "attention"],
    },
  ],
  [
    "everything that still batches",
    { cacheType: "float16", cacheLayout: "combined", useCacheBranch: true, convState: true },
  ],
];

describe.each(VARIANTS)("batching: %s", (_, options) => {
  it("concurrent greedy generations give exactly what each gives alone", async () => {
    const ref = await model(options);
    await withEngine({ maxRunningPerModel: 8 }, async (engine) => {
      const expected = await alone(engine, ref, GREEDY);
      expect(expected[1]).toBe(`eos:${DEMO_REPLY}`);
      const before = counters(engine);
      expect(await texts(engine, ref, GREEDY)).toEqual(expected);
      expect(meanBatchSince(engine, before)).toBeGreaterThan(1.5);
      expect(engine.devices().models[0]).toMatchObject({ maxBatch: 8, notBatched: null });
    });
  });
});

async function collect(stream: AsyncGenerator<GenerationEvent>, onDelta?: (n: number) => void) {
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === "done") return `${event.stats.finishReason}:${event.text}`;
    onDelta?.(++deltas);
  }
  throw new Error("no done event");
}

describe("batching: joining and leaving", () => {
  let ref: ModelRef;
  beforeAll(async () => {
    ref = await model();
  });

  it("rows that join mid-way or leave (eos, stop, abort, max tokens, return) do not change the others", async () => {
    const long: GenerateRequest = { prompt: "a", temperature: 0, maxTokens: 120, ignoreEos: true };
    const other: GenerateRequest = { prompt: "Hello world, abc", temperature: 0, maxTokens: 90, ignoreEos: true };
    const late: GenerateRequest = { prompt: "q".repeat(40), temperature: 0, maxTokens: 30 };
    await withEngine({ maxRunningPerModel: 8 }, async (engine) => {
      const [longAlone, otherAlone, lateAlone] = await alone(engine, ref, [long, other, late]);
      const controller = new AbortController();
      const before = counters(engine);
      let lateRun: Promise<string> | null = null;
      let returned: Promise<GenerationEvent[]> | null = null;
      /** Reads two events, then stops reading: it leaves the batch while the others still run. */
      const readTwoThenReturn = async () => {
        const stream = engine.generate(ref, { ...long, prompt: "zz" });
        const events = [(await stream.next()).value, (await stream.next()).value] as GenerationEvent[];
        await stream.return(undefined);
        return events;
      };
      const runs = [
        collect(engine.generate(ref, long), (n) => {
          // Join mid-way: one that runs to its end, one whose caller stops reading after two deltas.
          if (n === 10) lateRun = collect(engine.generate(ref, late));
          if (n === 12) returned = readTwoThenReturn();
        }),
        collect(engine.generate(ref, other)),
        collect(engine.generate(ref, chat("Who are you?"))),
        collect(engine.generate(ref, { prompt: "abc", temperature: 0, stop: ["gh"], maxTokens: 20 })),
        collect(engine.generate(ref, { prompt: "xyz", temperature: 0, maxTokens: 4 })),
        collect(engine.generate(ref, { ...long, signal: controller.signal }), (n) => n === 5 && controller.abort()),
      ];
      const [longText, otherText, eosText, stopText, lengthText, abortText] = await Promise.all(runs);
      expect(await returned).toEqual([
        { type: "delta", text: "a" },
        { type: "delta", text: "b" },
      ]);
      expect(await lateRun).toBe(lateAlone);
      expect(longText).toBe(longAlone);
      expect(otherText).toBe(otherAlone);
      expect(eosText).toBe(`eos:${DEMO_REPLY}`);
      expect(stopText).toBe("stop:def");
      expect(lengthText).toBe("length:abcd");
      expect(abortText).toMatch(/^abort:bcdef/);
      expect(meanBatchSince(engine, before)).toBeGreaterThan(1.5);
      expect(engine.devices().models[0]).toMatchObject({ running: 0, waiting: 0 });
    });
  });

  it("seeded sampling gives the same text whatever the batch companions", async () => {
    const sampled = (seed: number): GenerateRequest => ({
      prompt: "abc",
      temperature: 1,
      topP: 0.9,
      seed,
      maxTokens: 24,
    });
    await withEngine({ maxRunningPerModel: 8 }, async (engine) => {
      const expected = await alone(engine, ref, [sampled(7), sampled(8)]);
      const companions = [chat("Hi"), { prompt: "b".repeat(60), temperature: 1.3, maxTokens: 30 }, sampled(9)];
      const together = await texts(engine, ref, [sampled(7), ...companions, sampled(8)]);
      expect([together[0], together[4]]).toEqual(expected);
    });
  });

  it("a request without the cache runs alone in its turn, and the others still batch", async () => {
    await withEngine({ maxRunningPerModel: 4 }, async (engine) => {
      const requests = [GREEDY[0], { ...GREEDY[2], useCache: false }, GREEDY[3], GREEDY[4]];
      const expected = await alone(engine, ref, requests);
      expect(await texts(engine, ref, requests)).toEqual(expected);
    });
  });
});

describe("batching: fallback and admission", () => {
  it("a model without position_ids runs one at a time, says why, and gives the same text", async () => {
    const ref = await model({ positionIds: false });
    await withEngine({ maxRunningPerModel: 8 }, async (engine) => {
      const expected = await alone(engine, ref, GREEDY.slice(0, 4));
      expect(await texts(engine, ref, GREEDY.slice(0, 4))).toEqual(expected);
      expect(engine.devices().models[0]).toMatchObject({
        maxBatch: 1,
        notBatched: expect.stringMatching(/^no position_ids/),
        steps: 0,
      });
    });
  });

  it("is BUSY past the batch size plus the waiting bound", async () => {
    const ref = { ...(await model()), name: "tiny" };
    const long = { prompt: "a", temperature: 0, maxTokens: 40, ignoreEos: true };
    await withEngine({ maxRunningPerModel: 2, maxWaitingPerModel: 1 }, async (engine) => {
      await engine.load(ref);
      // Admission is decided synchronously when each generator starts: two run, one waits, one is refused,
      // whatever the model's speed.
      const a = engine.generate(ref, long);
      const b = engine.generate(ref, long);
      const firstA = a.next();
      const firstB = b.next();
      const waiting = engine.complete(ref, long);
      const refused = engine.complete(ref, long);
      expect(engine.devices().models[0]).toMatchObject({ running: 2, waiting: 1, maxBatch: 2 });
      await expect(refused).rejects.toMatchObject({
        code: "BUSY",
        message: "model tiny is busy: 1 requests waiting",
      });
      expect((await firstA).value).toMatchObject({ type: "delta" });
      expect((await firstB).value).toMatchObject({ type: "delta" });
      await a.return(undefined);
      expect((await waiting).stats.tokensOut).toBe(40);
      await b.return(undefined);
    });
  });

  it("reads the batch size from SWITCHYARD_INFERENCE_MAX_BATCH", () => {
    expect(maxBatchFromEnv(undefined)).toBe(8);
    expect(maxBatchFromEnv("1")).toBe(1);
    expect(() => maxBatchFromEnv("0")).toThrow(
      "SWITCHYARD_INFERENCE_MAX_BATCH must be an integer from 1 to 256, not '0'",
    );
    expect(() => maxBatchFromEnv("many")).toThrow(/not 'many'/);
  });
});
