import { describe, expect, it } from "vitest";
import { nameVariants, pickVariant, variantTag } from "./choose";
import { eosTokenIdsOf, readGenaiConfig, resolveContextLength } from "./configs";

const folder = nameVariants([
  "onnx/model.onnx",
  "onnx/model_fp16.onnx",
  "onnx/model_q4.onnx",
  "onnx/model_q4f16.onnx",
  "onnx/model_quantized.onnx",
  "onnx/decoder_model_merged_int8.onnx",
]);

describe("variant names", () => {
  it("reads the tag from the file name, fp32 without one", () => {
    expect(variantTag("onnx/model_q4f16.onnx")).toEqual({ base: "model", tag: "q4f16" });
    expect(variantTag("decoder_model_merged_q4.onnx")).toEqual({ base: "decoder_model_merged", tag: "q4" });
    expect(variantTag("past.onnx")).toEqual({ base: "past", tag: "fp32" });
  });

  it("gives each tag to its best file; a clashing file keeps its path as its name", () => {
    const named = nameVariants(["onnx/model.onnx", "model.onnx", "decoder_model_merged.onnx"]);
    expect(named).toEqual([
      { name: "fp32", file: "decoder_model_merged.onnx" },
      { name: "model.onnx", file: "model.onnx" },
      { name: "onnx/model.onnx", file: "onnx/model.onnx" },
    ]);
  });
});

describe("pickVariant", () => {
  it("defaults to half precision on a GPU and to a quantized copy on CPU", () => {
    expect(pickVariant(folder, "cuda").name).toBe("fp16");
    expect(pickVariant(folder, "webgpu").name).toBe("fp16");
    expect(pickVariant(folder, "cpu").name).toBe("q4");
    expect(pickVariant(nameVariants(["model.onnx", "model_fp16.onnx"]), "cpu").name).toBe("fp32");
    expect(pickVariant(nameVariants(["model_q4f16.onnx", "model.onnx"]), "cuda").name).toBe("q4f16");
    expect(pickVariant(nameVariants(["model_fp16.onnx"]), "cpu").name).toBe("fp16");
  });

  it("takes a requested variant by name, path or file name", () => {
    expect(pickVariant(folder, "cuda", "q4").file).toBe("onnx/model_q4.onnx");
    expect(pickVariant(folder, "cpu", "onnx/model.onnx").name).toBe("fp32");
    expect(pickVariant(folder, "cpu", "decoder_model_merged_int8.onnx").name).toBe("int8");
  });

  it("refuses a requested variant the folder lacks, naming those it has", () => {
    expect(() => pickVariant(folder, "cpu", "bnb4")).toThrow(
      expect.objectContaining({
        code: "VALIDATION",
        message: expect.stringMatching(/^variant 'bnb4' is not in this model folder; it has int8 \(onnx\/decoder/),
      }),
    );
    expect(() => pickVariant([], "cpu")).toThrow(expect.objectContaining({ code: "UNPROCESSABLE" }));
  });
});

describe("context length precedence", () => {
  const genai = readGenaiConfig({ model: { context_length: 4096, eos_token_id: [2, 7] }, search: { max_length: 100 } });
  const config = { max_position_embeddings: 8192 };
  const tokenizerConfig = { model_max_length: 2048 };

  it("registry > position table > genai_config > config.json > tokenizer", () => {
    const all = { override: 300, positionRows: 512, genai, config, tokenizerConfig };
    expect(resolveContextLength(all)).toEqual({ contextLength: 300, source: "registry" });
    expect(resolveContextLength({ ...all, override: null })).toEqual({ contextLength: 512, source: "position table" });
    expect(resolveContextLength({ genai, config, tokenizerConfig })).toEqual({
      contextLength: 4096,
      source: "genai_config.json",
    });
    expect(resolveContextLength({ config, tokenizerConfig }).source).toBe("config.json");
    const searchOnly = readGenaiConfig({ search: { max_length: 1000 } });
    expect(resolveContextLength({ genai: searchOnly, config }).contextLength).toBe(1000);
    expect(resolveContextLength({ config: { n_ctx: 1024 } }).contextLength).toBe(1024);
    expect(resolveContextLength({ tokenizerConfig })).toEqual({ contextLength: 2048, source: "tokenizer_config.json" });
    expect(resolveContextLength({ tokenizerConfig: { model_max_length: 1e30 } })).toEqual({
      contextLength: null,
      source: null,
    });
  });

  it("never lets anyone say more than the position table has", () => {
    expect(resolveContextLength({ override: 4096, positionRows: 512 })).toEqual({
      contextLength: 512,
      source: "position table",
    });
  });

  it("reads genai's eos list with generation_config's ids", () => {
    expect(eosTokenIdsOf({ eos_token_id: 7 }, genai, { eos_token_id: 9 })).toEqual([7, 2]);
    expect(eosTokenIdsOf({}, null, { eos_token_id: 9 })).toEqual([9]);
  });
});
