import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { InferenceSession } from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openArtifact } from "../artifact/inspect";
import { DecoderState } from "../decoder";
import { DeviceSelector } from "../devices";
import { type TestModelOptions, writeTestModel } from "../model-builder";
import { argmax } from "../sampling";
import type { ModelVariant } from "../types";
import { BatchedDecoder } from "./batched-decoder";

// Real onnxruntime (CPU) on the test model; no database: a unit test by this project's rule.
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-batched-decoder-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const VARIANTS: [string, TestModelOptions][] = [
  ["per-layer float32 cache", {}],
  ["float16 cache", { cacheType: "float16" }],
  ["combined past_N cache, int32 ids", { cacheLayout: "combined", idsType: "int32" }],
  ["merged decoder (use_cache_branch)", { useCacheBranch: true }],
  ["hybrid conv state", { convState: true }],
  ["multi-query attention, combined past_N", { kvHeads: 1, cacheLayout: "combined" }],
  [
    "cache_position with position_ids, token_type_ids, logits_to_keep",
    { cachePosition: true, tokenTypeIds: true, logitsToKeep: "logits_to_keep" },
  ],
  [
    "transformers-style hybrid: merged, float16, GQA, mamba + conv + attention with gaps",
    {
      cacheType: "float16",
      useCacheBranch: true,
      kvHeads: 2,
      cachePosition: true,
      logitsToKeep: "num_logits_to_keep",
      layerTypes: ["mamba", "attention", "conv", "attention"],
    },
  ],
];

/** Each prompt decoded alone, greedy, for `steps` steps: its logits at every step and the tokens fed. */
async function soloReference(session: InferenceSession, variant: ModelVariant, prompts: number[][], steps: number) {
  const reference: { logits: Float32Array[]; fed: number[] }[] = [];
  for (const prompt of prompts) {
    const solo = new DecoderState(session, variant, true);
    const logits = [await solo.forward(prompt)];
    const fed: number[] = [];
    for (let i = 0; i < steps; i++) {
      fed.push(argmax(logits[i]));
      logits.push(await solo.forward([fed[i]]));
    }
    reference.push({ logits, fed });
  }
  return reference;
}

/** One batched step feeding each row its reference token; each row's logits must match its solo decoding. */
async function stepAndCompare(
  batch: BatchedDecoder,
  rows: { seq: number; at: number }[],
  reference: { logits: Float32Array[]; fed: number[] }[],
  tolerance: number,
) {
  const logits = await batch.step(rows.map((r) => reference[r.seq].fed[r.at]));
  rows.forEach((r, i) => {
    r.at++;
    expect(worstDifference(logits[i], reference[r.seq].logits[r.at]), `row ${i} step ${r.at}`).toBeLessThan(tolerance);
  });
}

const worstDifference = (a: Float32Array, b: Float32Array) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

describe.each(VARIANTS)("BatchedDecoder: %s", (name, options) => {
  it("each row's logits match its own batch-1 decoding through joins, leaves and padding", async () => {
    const dir = path.join(root, name.replace(/\W+/g, "-"));
    await writeTestModel(dir, options);
    const opened = await openArtifact(dir, new DeviceSelector("cpu"));
    const { session, info, tokenizer } = opened;
    const tolerance = options.cacheType === "float16" ? 5e-3 : 1e-4;
    try {
      const prompts = ["abc", "Hello world, the quick brown fox", "k".repeat(45)].map((p) => tokenizer.encode(p));
      const reference = await soloReference(session, info.variant, prompts, 14);

      const batch = new BatchedDecoder(session, info.variant);
      const rows: { seq: number; at: number }[] = []; // which prompt each row is, and its step
      const join = async (seq: number) => {
        const prefilled = await batch.prefill(prompts[seq]);
        expect(worstDifference(prefilled.logits, reference[seq].logits[0])).toBeLessThan(tolerance);
        return prefilled;
      };
      const step = () => stepAndCompare(batch, rows, reference, tolerance);

      batch.regroup([], [await join(0)]);
      rows.push({ seq: 0, at: 0 });
      for (let i = 0; i < 3; i++) await step();
      // A longer prompt joins: the running row is padded on the left.
      batch.regroup([0], [await join(1)]);
      rows.push({ seq: 1, at: 0 });
      for (let i = 0; i < 3; i++) await step();
      // The first leaves and a third joins in the same regroup; then the second leaves.
      batch.regroup([1], [await join(2)]);
      rows.splice(0, 1);
      rows.push({ seq: 2, at: 0 });
      for (let i = 0; i < 4; i++) await step();
      expect(batch.rows).toBe(2);
      batch.regroup([1], []);
      rows.splice(0, 1);
      for (let i = 0; i < 3; i++) await step();
      expect(batch.paddedLength).toBe(prompts[2].length + 7);
    } finally {
      await session.release();
    }
  });
});

/** Variants whose every state has a sequence axis: the ones whose newcomers may be prefilled together. */
const KV_ONLY = VARIANTS.filter(([, o]) => !o.convState && !o.layerTypes);

describe.each(KV_ONLY)("BatchedDecoder.prefillTogether: %s", (name, options) => {
  it("prompts prefilled in one padded forward decode as each does alone, through leaves and joins", async () => {
    const dir = path.join(root, `together-${name.replace(/\W+/g, "-")}`);
    await writeTestModel(dir, options);
    const { session, info, tokenizer } = await openArtifact(dir, new DeviceSelector("cpu"));
    const tolerance = options.cacheType === "float16" ? 5e-3 : 1e-4;
    try {
      const texts = ["abc", "Hello world, the quick brown fox", "k".repeat(45), "zz top", "a somewhat longer tail"];
      const prompts = texts.map((p) => tokenizer.encode(p));
      const reference = await soloReference(session, info.variant, prompts, 10);

      const batch = new BatchedDecoder(session, info.variant);
      expect(batch.prefillsTogether).toBe(true);
      const rows: { seq: number; at: number }[] = [];
      const together = async (seqs: number[]) => {
        const states = await batch.prefillTogether(seqs.map((s) => prompts[s]));
        states.forEach((state, i) => {
          expect(state.row).toBe(i);
          expect(state.length).toBe(prompts[seqs[i]].length);
          expect(worstDifference(state.logits, reference[seqs[i]].logits[0]), `prefill of ${seqs[i]}`).toBeLessThan(
            tolerance,
          );
        });
        return states;
      };
      const step = () => stepAndCompare(batch, rows, reference, tolerance);

      // Three at once into an empty batch: the padded prefill is the batch's cache as it is.
      batch.regroup([], await together([0, 1, 2]));
      rows.push({ seq: 0, at: 0 }, { seq: 1, at: 0 }, { seq: 2, at: 0 });
      expect(batch.paddedLength).toBe(prompts[2].length);
      for (let i = 0; i < 3; i++) await step();
      // The middle row leaves and two more, prefilled together, join: rows of a shared state are packed.
      batch.regroup([0, 2], await together([3, 4]));
      rows.splice(1, 1);
      rows.push({ seq: 3, at: 0 }, { seq: 4, at: 0 });
      for (let i = 0; i < 4; i++) await step();
      expect(batch.rows).toBe(4);
      // Only a later row of a padded prefill joins (the first finished at its first token).
      const [, second] = await together([0, 3]);
      batch.regroup([1], [second]);
      rows.splice(0, 1);
      rows.splice(1);
      rows.push({ seq: 3, at: 0 });
      for (let i = 0; i < 3; i++) await step();
    } finally {
      await session.release();
    }
  });
});

it("models with a fixed-size (conv, state-space) state prefill newcomers one at a time", async () => {
  for (const [name, options] of VARIANTS.filter(([, o]) => o.convState || o.layerTypes)) {
    const dir = path.join(root, `alone-${name.replace(/\W+/g, "-")}`);
    await writeTestModel(dir, options);
    const { session, info } = await openArtifact(dir, new DeviceSelector("cpu"));
    expect(new BatchedDecoder(session, info.variant).prefillsTogether, name).toBe(false);
    await session.release();
  }
});
