import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTestModel } from "../model-builder";
import { valueInfo } from "../model-builder/graph-builder";
import { onnx, type proto } from "../onnx-proto";
import { inspectArtifact } from "./inspect";

// Temp files and onnxruntime only, no database: a unit test by this project's rule.
let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-inspect-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function modelDir(options: Parameters<typeof writeTestModel>[1] = {}) {
  const dir = path.join(root, `m${count++}`);
  const files = await writeTestModel(dir, options);
  return { dir, files, modelPath: path.join(dir, files.modelFileName) };
}

async function editGraph(modelPath: string, edit: (graph: proto.IGraphProto) => void) {
  const model = onnx.ModelProto.decode(await readFile(modelPath));
  edit(model.graph!);
  await writeFile(modelPath, onnx.ModelProto.encode(model).finish());
}

const refused = (message: string | RegExp) =>
  expect.objectContaining({
    code: "UNPROCESSABLE",
    message: typeof message === "string" ? message : expect.stringMatching(message),
  });

describe("inspectArtifact", () => {
  it("describes the test model", async () => {
    const { dir, files } = await modelDir();
    const info = await inspectArtifact(dir);
    expect(info).toMatchObject({
      files: { model: "model.onnx", tokenizer: "tokenizer.json", config: "config.json" },
      opset: 17,
      hasKvCache: true,
      contextLength: 512,
      eosTokenIds: files.eosTokenIds,
      modelType: "gpt2",
      variant: {
        idsType: "int64",
        cacheLayout: "per-layer",
        cacheType: "float32",
        layers: 2,
        kvHeads: 4,
        headSize: 24,
      },
    });
    expect(info.variant.description).toBe(
      "int64 ids, per-layer float32 KV cache (2 layers x 4 heads x 24), position_ids, vocabulary 295",
    );
    expect(info.chatTemplate).toContain("<|im_start|>");
    expect(info.sizeBytes).toBe(files.onnx.byteLength);
    // Embeddings, 2 blocks, LM head: about 330k parameters.
    expect(info.parameterCount).toBeGreaterThan(300_000);
    expect(info.parameterCount).toBeLessThan(400_000);
    expect(info.inputs.map((i) => i.name)).toEqual([
      "input_ids",
      "attention_mask",
      "position_ids",
      "past_key_values.0.key",
      "past_key_values.0.value",
      "past_key_values.1.key",
      "past_key_values.1.value",
    ]);
    expect(info.inputs[3]).toEqual({
      name: "past_key_values.0.key",
      type: "float32",
      dims: ["batch_size", 4, "past_sequence_length", 24],
    });
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });

  it("finds a merged decoder and reports each variant", async () => {
    const merged = await inspectArtifact(
      (await modelDir({ useCacheBranch: true, convState: true, cacheType: "float16" })).dir,
    );
    expect(merged.files.model).toBe("decoder_model_merged.onnx");
    expect(merged.variant).toMatchObject({ useCacheBranch: true, convState: true, cacheType: "float16" });
    expect(merged.variant.state.filter((s) => s.kind === "conv").map((s) => s.initialDims)).toEqual([
      [1, 96, 3],
      [1, 96, 3],
    ]);
    const old = await inspectArtifact(
      (await modelDir({ cacheLayout: "combined", idsType: "int32", positionIds: false })).dir,
    );
    expect(old.variant).toMatchObject({
      cacheLayout: "combined",
      idsType: "int32",
      positionIds: null,
      attentionMask: "int32",
    });
    expect(old.outputs.map((o) => o.name)).toEqual(["present_0", "present_1", "logits"]);
    const noCache = await inspectArtifact((await modelDir({ kvCache: false })).dir);
    expect(noCache.hasKvCache).toBe(false);
  });

  it("refuses a corrupt or truncated file", async () => {
    const corrupt = await modelDir();
    await writeFile(corrupt.modelPath, Buffer.from("this is not a protobuf at all, just some text"));
    await expect(inspectArtifact(corrupt.dir)).rejects.toEqual(refused(/^model\.onnx is not a valid ONNX file: /));
    const truncated = await modelDir();
    await writeFile(truncated.modelPath, truncated.files.onnx.subarray(0, truncated.files.onnx.byteLength / 2));
    await expect(inspectArtifact(truncated.dir)).rejects.toEqual(refused(/^model\.onnx is not a valid ONNX file: /));
  });

  it("refuses a graph that is not a causal LM, naming what is wrong", async () => {
    const noLogits = await modelDir();
    await editGraph(noLogits.modelPath, (graph) => {
      for (const node of graph.node ?? []) node.output = node.output?.map((o) => (o === "logits" ? "scores" : o));
      for (const output of graph.output ?? []) if (output.name === "logits") output.name = "scores";
    });
    await expect(inspectArtifact(noLogits.dir)).rejects.toEqual(
      refused(
        "no decoder graph (an ONNX file with input_ids in and logits out) in the folder; found model.onnx (other)",
      ),
    );

    const extraInput = await modelDir();
    await editGraph(extraInput.modelPath, (graph) => {
      graph.input?.push(valueInfo("foo", "float32", [1, 3]));
    });
    await expect(inspectArtifact(extraInput.dir)).rejects.toEqual(
      refused(/^input 'foo' \(float32 \[1, 3\]\) is not understood; understood inputs: input_ids, /),
    );
  });

  it("refuses a folder without a tokenizer or a model", async () => {
    const noTokenizer = await modelDir();
    await unlink(path.join(noTokenizer.dir, "tokenizer.json"));
    await expect(inspectArtifact(noTokenizer.dir)).rejects.toEqual(refused("tokenizer.json is missing"));

    const badTokenizer = await modelDir();
    await writeFile(path.join(badTokenizer.dir, "tokenizer.json"), "{ nope");
    await expect(inspectArtifact(badTokenizer.dir)).rejects.toEqual(refused(/^tokenizer\.json is not valid JSON: /));

    const noModel = await modelDir();
    await unlink(noModel.modelPath);
    await expect(inspectArtifact(noModel.dir)).rejects.toEqual(
      refused("model.onnx is missing: no .onnx file at the top level or under onnx/"),
    );
    await expect(inspectArtifact(path.join(root, "nowhere"))).rejects.toEqual(
      refused(/^model folder '.*' does not exist$/),
    );
  });
});
