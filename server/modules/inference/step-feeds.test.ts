import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedArtifact, openArtifact } from "./artifact/inspect";
import { DeviceSelector } from "./devices";
import { writeTestModel } from "./model-builder";
import { intTensor, stepFeeds } from "./step-feeds";
import type { ModelVariant } from "./types";

// Temp files and onnxruntime (CPU) only: a unit test by this project's rule.
let root: string;
let opened: OpenedArtifact;
let session: InferenceSession;
let variant: ModelVariant;
const prompt = [5, 6, 7, 8, 9];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-feeds-"));
  // Every feed at once: Mamba layer 0, attention 1 and 3 (GQA), plain conv layer 2.
  await writeTestModel(root, {
    kvHeads: 2,
    cachePosition: true,
    positionIds: false,
    tokenTypeIds: true,
    logitsToKeep: "logits_to_keep",
    layerTypes: ["mamba", "attention", "conv", "attention"],
  });
  opened = await openArtifact(root, new DeviceSelector("cpu"));
  session = opened.session;
  variant = opened.info.variant;
});
afterAll(async () => {
  await session?.release();
  await rm(root, { recursive: true, force: true });
});

const run = (feeds: Record<string, Tensor>) => session.run(feeds);
const floats = (t: unknown) => Array.from((t as Tensor).data as Float32Array);
const maxDiff = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe("stepFeeds", () => {
  it("feeds what the variant asks for: positions past + i, zeros, logits_to_keep 1, the state", () => {
    const feeds = stepFeeds(variant, { tokens: [3, 4], pastLength: 5 });
    expect(Object.keys(feeds).sort()).toEqual(
      [
        "input_ids",
        "attention_mask",
        "cache_position",
        "token_type_ids",
        "logits_to_keep",
        ...variant.state.map((s) => s.input),
      ].sort(),
    );
    expect(Array.from(feeds.cache_position.data as BigInt64Array, Number)).toEqual([5, 6]);
    expect(feeds.cache_position.dims).toEqual([2]);
    expect(Array.from(feeds.token_type_ids.data as BigInt64Array, Number)).toEqual([0, 0]);
    expect(feeds.attention_mask.dims).toEqual([1, 7]);
    expect(feeds.logits_to_keep.dims).toEqual([]);
    expect(Number((feeds.logits_to_keep.data as BigInt64Array)[0])).toBe(1);
    expect(feeds["past_key_values.1.key"].dims).toEqual([1, 2, 0, 24]);
    expect(feeds["past_ssm.0"].dims).toEqual([1, 2, 8]);
    expect(feeds["past_conv.2"].dims).toEqual([1, 96, 3]);
  });

  it("the model really uses each feed, and each state's axes are where the spec says", async () => {
    const first = await run(stepFeeds(variant, { tokens: prompt, pastLength: 0 }));
    expect(first.logits.dims).toEqual([1, 1, variant.vocabSize]);
    const all = await run({
      ...stepFeeds(variant, { tokens: prompt, pastLength: 0 }),
      logits_to_keep: intTensor("int64", [0], []),
    });
    expect(all.logits.dims).toEqual([1, prompt.length, variant.vocabSize]);
    expect(maxDiff(floats(all.logits).slice(-variant.vocabSize), floats(first.logits))).toBeLessThan(1e-5);

    for (const spec of variant.state) {
      const dims = first[spec.output].dims;
      if (spec.sequenceAxis === null) expect(dims).toEqual(spec.initialDims);
      else expect(dims).toEqual(spec.initialDims.map((d, axis) => (axis === spec.sequenceAxis ? prompt.length : d)));
      expect(dims[spec.batchAxis]).toBe(1);
    }

    const base = stepFeeds(variant, { tokens: prompt, pastLength: 0 });
    const wrongTypes = await run({ ...base, token_type_ids: intTensor("int64", [1, 1, 1, 1, 1], [1, 5]) });
    expect(maxDiff(floats(wrongTypes.logits), floats(first.logits))).toBeGreaterThan(1e-3);

    // The next step from the carried state; then with each state tensor dropped, which must change the logits.
    const past = Object.fromEntries(variant.state.map((s) => [s.input, first[s.output] as Tensor]));
    const next = await run(stepFeeds(variant, { tokens: [10], pastLength: prompt.length, past }));
    const shifted = await run({
      ...stepFeeds(variant, { tokens: [10], pastLength: prompt.length, past }),
      cache_position: intTensor("int64", [prompt.length - 2], [1]),
    });
    expect(maxDiff(floats(shifted.logits), floats(next.logits))).toBeGreaterThan(1e-3);
    for (const dropped of ["past_ssm.0", "past_conv.0", "past_conv.2"]) {
      const spec = variant.state.find((s) => s.input === dropped);
      expect(spec?.sequenceAxis).toBeNull();
      const { [dropped]: _, ...rest } = past;
      const without = await run(stepFeeds(variant, { tokens: [10], pastLength: prompt.length, past: rest }));
      expect(maxDiff(floats(without.logits), floats(next.logits))).toBeGreaterThan(1e-4);
    }
  });
});
