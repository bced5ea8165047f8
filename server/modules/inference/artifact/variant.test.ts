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
    expectRefusal([ids, t("foo", "float32", [1, 3])], [logits], "input 'foo' (float32 [1, 3]) is not understood");
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
    const l1 = perLayer(1);
    expectRefusal(
      [ids, ...l1.inputs],
      [logits, ...l1.outputs],
      "past_key_values layers are not numbered 0..0 (found 1)",
    );
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
