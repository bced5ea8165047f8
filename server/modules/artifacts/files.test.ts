import { describe, expect, it } from "vitest";
import { artifactPathOf, isArtifactFile } from "./files";

describe("which files of a model folder are kept", () => {
  it("keeps graphs and external data at the top level and under onnx/, configs and templates at the top", () => {
    for (const kept of [
      "model.onnx",
      "decoder_model_merged_q4f16.onnx",
      "model.onnx_data",
      "model.onnx.data",
      "model.onnx_data_1",
      "onnx/model_q4.onnx",
      "onnx/model_q4.onnx_data_12",
      "genai_config.json",
      "chat_template.jinja",
      "chat_template.json",
      "tokenizer.json",
    ])
      expect(isArtifactFile(kept), kept).toBe(true);
    for (const ignored of [
      "README.md",
      "onnx/tokenizer.json",
      "other/model.onnx",
      "onnx/sub/model.onnx",
      "../model.onnx",
      "onnx/../model.onnx",
      ".model.onnx",
      "model.onnx_data.bak",
      "weights.bin",
    ])
      expect(isArtifactFile(ignored), ignored).toBe(false);
  });

  it("places an uploaded part by its base name, plus onnx/ when that is its folder, never further out", () => {
    expect(artifactPathOf("my-model/onnx/model_fp16.onnx")).toBe("onnx/model_fp16.onnx");
    expect(artifactPathOf("my-model/config.json")).toBe("config.json");
    expect(artifactPathOf("C:\\models\\x\\onnx\\model.onnx")).toBe("onnx/model.onnx");
    expect(artifactPathOf("../../etc/model.onnx")).toBe("model.onnx");
    expect(artifactPathOf("../../etc/passwd")).toBeNull();
    expect(artifactPathOf("my-model/onnx/config.json")).toBeNull();
    expect(artifactPathOf("")).toBeNull();
  });
});
