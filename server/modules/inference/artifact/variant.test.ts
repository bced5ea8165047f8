import { describe, expect, it } from "vitest";
import type { TensorSpec } from "../types";
import { discoverVariant } from "./variant";

const t = (name: string, type: string, dims: (number | string)[]): TensorSpec => ({ name, type, dims });
const ids = t("input_ids", "int64", ["batch", "seq"]);
const mask = t("attention_mask", "int64", ["batch", "total"]);
const logits = t("logits", "float32", ["batch", "seq", 100]);
const perLayer = (layer: number, type = "float32") => ({
  inputs: ["key", "value"].map((part) => t(`past_key_values.${layer}.${part}`, type, ["batch", 2, "past", 8])),
  outputs: ["key", "value"].map((part) => t(`present.${layer}.${part}`, type, ["batch", 2, "total", 8])),
});

function expectRefusal(inputs: TensorSpec[], outputs: TensorSpec[], message: string) {
  expect(() => discoverVariant(inputs, outputs, {})).toThrow(
    expect.objectContaining({ code: "UNPROCESSABLE", message }) as unknown as Error,
  );
}

describe("discoverVariant", () => {
  it("reads an optimum export: per-layer cache, heads and head size from the shapes", () => {
    const [l0, l1] = [perLayer(0, "float16"), perLayer(1, "float16")];
    const variant = discoverVariant(
      [ids, mask, ...l0.inputs, ...l1.inputs],
      [logits, ...l0.outputs, ...l1.outputs],
      {},
    );
    expect(variant).toMatchObject({
      idsType: "int64",
      attentionMask: "int64",
      positionIds: null,
      cacheLayout: "per-layer",
      cacheType: "float16",
      layers: 2,
      kvHeads: 2,
      headSize: 8,
      vocabSize: 100,
    });
    expect(variant.state.map((s) => [s.input, s.output, s.initialDims])).toEqual([
      ["past_key_values.0.key", "present.0.key", [1, 2, 0, 8]],
      ["past_key_values.0.value", "present.0.value", [1, 2, 0, 8]],
      ["past_key_values.1.key", "present.1.key", [1, 2, 0, 8]],
      ["past_key_values.1.value", "present.1.value", [1, 2, 0, 8]],
    ]);
  });

  it("reads an older ORT GPT-2 export (past_N) and falls back on config.json for symbolic sizes", () => {
    const variant = discoverVariant(
      [
        t("input_ids", "int32", ["b", "s"]),
        t("position_ids", "int32", ["b", "s"]),
        t("past_0", "float32", [2, "b", "h", "p", "d"]),
      ],
      [t("logits", "float32", ["b", "s", "v"]), t("present_0", "float32", [2, "b", "h", "t", "d"])],
      { heads: 4, headSize: 16, vocabSize: 50 },
    );
    expect(variant).toMatchObject({
      idsType: "int32",
      positionIds: "int32",
      attentionMask: null,
      cacheLayout: "combined",
    });
    expect(variant.state[0].initialDims).toEqual([2, 1, 4, 0, 16]);
    expect(variant.vocabSize).toBe(50);
  });

  it("refuses what it does not understand, naming the tensor", () => {
    expectRefusal(
      [ids, t("foo", "float32", [1, 3])],
      [logits],
      "input 'foo' (float32 [1, 3]) is not understood; understood inputs: input_ids, attention_mask, position_ids, " +
        "cache_position, token_type_ids, logits_to_keep, num_logits_to_keep, use_cache_branch, " +
        "past_key_values.N.key/value, past_N, past_conv.N, past_ssm.N, past_recurrent.N",
    );
    expectRefusal([ids], [t("scores", "float32", [1, 1, 10])], "logits output missing: not a causal LM");
    expectRefusal([mask], [logits], "input 'input_ids' missing: not a causal LM");
    expectRefusal(
      [t("input_ids", "float32", ["b", "s"])],
      [logits],
      "input 'input_ids' (float32 [b, s]) must be int32 or int64 [batch, sequence]",
    );
    const l0 = perLayer(0);
    expectRefusal(
      [ids, ...l0.inputs],
      [logits, l0.outputs[0]],
      "output 'present.0.value' missing: nothing carries input 'past_key_values.0.value' to the next step",
    );
    expectRefusal([ids, l0.inputs[0]], [logits, l0.outputs[0]], "layer 0 has a past key but no past value");
    expectRefusal(
      [
        ids,
        t("past_key_values.0.key", "float32", ["b", "h", "p", "d"]),
        t("past_key_values.0.value", "float32", ["b", "h", "p", "d"]),
      ],
      [logits, ...l0.outputs],
      "cannot tell heads and head size from 'past_key_values.0.key' (float32 [b, h, p, d]) or config.json",
    );
  });
});

const fixed = (kind: string, layer: number, dims: (number | string)[]) => ({
  input: t(`past_${kind}.${layer}`, "float32", dims),
  output: t(`present_${kind}.${layer}`, "float32", dims),
});

describe("discoverVariant: hybrid and newer exports", () => {
  it("keeps each state tensor's own layer number (LFM2: conv on 0 and 2, attention on 1 and 3)", () => {
    const [a1, a3] = [perLayer(1), perLayer(3)];
    const [c0, c2] = [fixed("conv", 0, ["batch", 64, 3]), fixed("conv", 2, ["batch", 64, 3])];
    const variant = discoverVariant(
      [ids, mask, c0.input, ...a1.inputs, c2.input, ...a3.inputs],
      [logits, c0.output, ...a1.outputs, c2.output, ...a3.outputs],
      {},
    );
    expect(variant).toMatchObject({ layers: 4, attentionLayers: [1, 3], convState: true, ssmState: false });
    expect(variant.state.map((s) => [s.input, s.kind, s.layer, s.batchAxis, s.sequenceAxis])).toEqual([
      ["past_key_values.1.key", "key", 1, 0, 2],
      ["past_key_values.1.value", "value", 1, 0, 2],
      ["past_key_values.3.key", "key", 3, 0, 2],
      ["past_key_values.3.value", "value", 3, 0, 2],
      ["past_conv.0", "conv", 0, 0, null],
      ["past_conv.2", "conv", 2, 0, null],
    ]);
    expect(variant.description).toBe(
      "int64 ids, per-layer float32 KV cache (layers 1, 3 of 4 x 2 heads x 8), conv state (layers 0, 2), vocabulary 100",
    );
  });

  it("reads Mamba-style state (past_conv.N, past_ssm.N, past_recurrent.N) as fixed-size, zeros at first", () => {
    const conv = fixed("conv", 0, ["batch", 32, 3]);
    const ssm = fixed("ssm", 0, ["batch", 4, 8, 16]);
    const recurrent = fixed("recurrent", 1, ["batch", 2, 8, 8]);
    const variant = discoverVariant(
      [ids, conv.input, ssm.input, recurrent.input],
      [logits, conv.output, ssm.output, recurrent.output],
      {},
    );
    expect(variant).toMatchObject({ cacheLayout: null, ssmState: true, layers: 2, attentionLayers: [] });
    expect(variant.state.map((s) => [s.output, s.kind, s.initialDims, s.sequenceAxis])).toEqual([
      ["present_conv.0", "conv", [1, 32, 3], null],
      ["present_ssm.0", "ssm", [1, 4, 8, 16], null],
      ["present_recurrent.1", "recurrent", [1, 2, 8, 8], null],
    ]);
  });

  it("reads grouped-query caches: KV heads from the graph, else num_key_value_heads", () => {
    const symbolic = ["key", "value"].map((part) => t(`past_key_values.0.${part}`, "float32", ["b", "kv", "p", "d"]));
    const presents = ["key", "value"].map((part) => t(`present.0.${part}`, "float32", ["b", "kv", "t", "d"]));
    const gqa = discoverVariant([ids, ...symbolic], [logits, ...presents], { heads: 8, kvHeads: 2, headSize: 16 });
    expect(gqa).toMatchObject({ kvHeads: 2, headSize: 16 });
    expect(gqa.state.map((s) => s.initialDims)).toEqual([
      [1, 2, 0, 16],
      [1, 2, 0, 16],
    ]);
    const combined = discoverVariant(
      [ids, t("past_0", "float16", [2, "b", 1, "p", 32])],
      [logits, t("present_0", "float16", [2, "b", 1, "t", 32])],
      { heads: 8 },
    );
    expect(combined.state[0]).toMatchObject({ initialDims: [2, 1, 1, 0, 32], batchAxis: 1, sequenceAxis: 3 });
  });

  it("reads cache_position, token_type_ids and logits_to_keep", () => {
    const variant = discoverVariant(
      [
        ids,
        t("cache_position", "int64", ["sequence_length"]),
        t("token_type_ids", "int64", ["batch", "seq"]),
        t("logits_to_keep", "int64", []),
      ],
      [logits],
      {},
    );
    expect(variant).toMatchObject({
      cachePosition: "int64",
      tokenTypeIds: "int64",
      logitsToKeep: { name: "logits_to_keep", type: "int64", dims: [] },
    });
    expect(variant.description).toBe(
      "int64 ids, no KV cache (full recompute each step), cache_position, token_type_ids (zeros), logits_to_keep 1, " +
        "no attention_mask, vocabulary 100",
    );
    const older = discoverVariant([ids, t("num_logits_to_keep", "int32", [1])], [logits], {});
    expect(older.logitsToKeep).toEqual({ name: "num_logits_to_keep", type: "int32", dims: [1] });
  });

  it("refuses broken hybrids with a message naming the tensors", () => {
    const l1 = perLayer(1);
    expectRefusal([ids, l1.inputs[1]], [logits, l1.outputs[1]], "layer 1 has a past value but no past key");
    const ssm = fixed("ssm", 2, ["b", 4, 8]);
    expectRefusal(
      [ids, ssm.input],
      [logits],
      "output 'present_ssm.2' missing: nothing carries input 'past_ssm.2' to the next step",
    );
    const [a, b] = [fixed("conv", 1, ["b", 8, 3]), t("past_conv.01", "float32", ["b", 8, 3])];
    expectRefusal(
      [ids, a.input, b],
      [logits, a.output],
      "inputs 'past_conv.1' and 'past_conv.01' both carry layer 1's conv state",
    );
    expectRefusal(
      [ids, ...l1.inputs, t("past_key_values.01.key", "float32", ["b", 2, "p", 8])],
      [logits, ...l1.outputs],
      "inputs 'past_key_values.1.key' and 'past_key_values.01.key' both carry layer 1's past key",
    );
    expectRefusal(
      [ids, t("past_ssm.0", "float32", ["b", "inner", 16])],
      [logits],
      "input 'past_ssm.0' (float32 [b, inner, 16]) must be float32 or float16 [batch, ...fixed sizes]",
    );
    expectRefusal(
      [ids, t("cache_position", "int64", ["b", "s"])],
      [logits],
      "input 'cache_position' (int64 [b, s]) must be int32 or int64 [sequence]",
    );
    expectRefusal(
      [ids, t("logits_to_keep", "int64", ["s"])],
      [logits],
      "input 'logits_to_keep' (int64 [s]) must be an int32 or int64 scalar",
    );
    expectRefusal(
      [ids, t("logits_to_keep", "int64", []), t("num_logits_to_keep", "int64", [])],
      [logits],
      "inputs 'logits_to_keep' and 'num_logits_to_keep' both present: a model takes one of them",
    );
  });
});
