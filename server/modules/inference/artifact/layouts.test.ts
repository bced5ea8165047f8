import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InferenceEngine } from "../engine";
import type { GenerateRequest } from "../generate";
import { type LayoutOptions, writeModelLayout } from "../model-builder";
import { onnx } from "../onnx-proto";
import { inspectArtifact } from "./inspect";

// Temp files and onnxruntime (CPU) only, no database: a unit test by this project's rule.
let root: string;
let count = 0;
const engine = new InferenceEngine({ device: "cpu" });
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-layouts-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function layout(options: LayoutOptions) {
  const dir = path.join(root, `m${count++}`);
  return { dir, files: await writeModelLayout(dir, options) };
}

const letters: GenerateRequest = { prompt: "abc", temperature: 0, maxTokens: 12 };
const chat: GenerateRequest = { messages: [{ role: "user", content: "Who are you?" }], temperature: 0 };
const greedy = async (dir: string, variant?: string) => {
  const ref = { dir, variant };
  return [(await engine.complete(ref, letters)).text, (await engine.complete(ref, chat)).text];
};

describe("real export layouts", () => {
  it("finds every variant of an onnx/ folder, picks by device, and each decodes the fp32 text", async () => {
    const { dir } = await layout({ folder: "onnx", variants: ["fp32", "fp16", "quantized"] });
    const info = await inspectArtifact(dir);
    expect(info.variants).toEqual([
      { name: "fp32", file: "onnx/model.onnx" },
      { name: "fp16", file: "onnx/model_fp16.onnx" },
      { name: "quantized", file: "onnx/model_quantized.onnx" },
    ]);
    // CPU default: the quantized copy.
    expect(info.files.model).toBe("onnx/model_quantized.onnx");
    expect(info.modelVariant).toBe("quantized");
    expect(info.contextLength).toBe(512);
    expect(info.contextLengthSource).toBe("position table");
    const fp16 = await inspectArtifact(dir, { variant: "fp16" });
    expect(fp16.variant.cacheType).toBe("float16");
    expect((await inspectArtifact(dir, { variant: "model.onnx" })).files.model).toBe("onnx/model.onnx");
    await expect(inspectArtifact(dir, { variant: "q4" })).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("fp32 (onnx/model.onnx), fp16 (onnx/model_fp16.onnx), quantized"),
    });

    const expected = await greedy(dir, "fp32");
    expect(expected[0]).toBe("defghijklmno");
    expect(await greedy(dir, "fp16")).toEqual(expected);
    expect(await greedy(dir, "quantized")).toEqual(expected);
  });

  it("loads weights from external data, over several files, and counts them in the size", async () => {
    const { dir, files } = await layout({ externalData: { files: 2 } });
    expect(files.written).toEqual(expect.arrayContaining(["model.onnx", "model.onnx_data", "model.onnx_data_1"]));
    const info = await inspectArtifact(dir);
    expect(info.externalData).toEqual(["model.onnx_data", "model.onnx_data_1"]);
    const sizes = await Promise.all(
      ["model.onnx", "model.onnx_data", "model.onnx_data_1"].map((f) => stat(path.join(dir, f))),
    );
    expect(info.sizeBytes).toBe(sizes.reduce((n, s) => n + s.size, 0));
    expect(info.sizeBytes).toBeGreaterThan(sizes[0].size * 10);
    expect(info.parameterCount).toBeGreaterThan(100_000);
    expect((await greedy(dir))[0]).toBe("defghijklmno");

    await unlink(path.join(dir, "model.onnx_data_1"));
    await expect(inspectArtifact(dir)).rejects.toMatchObject({
      code: "UNPROCESSABLE",
      message: "model.onnx refers to external data 'model.onnx_data_1', which is missing",
    });
  });

  it("honours genai_config.json: its decoder file, eos list and context length", async () => {
    const { dir, files } = await layout({
      folder: "onnx",
      variants: ["fp16", "fp32"],
      genaiConfig: true,
      omitConfigContext: true,
      tokenizerMaxLength: 2048,
      externalData: { suffix: ".data" },
    });
    const info = await inspectArtifact(dir);
    expect(info.files).toMatchObject({ model: "onnx/model_fp16.onnx", genaiConfig: "genai_config.json" });
    expect(info.externalData).toEqual(["model_fp16.onnx.data"]);
    expect((await greedy(dir))[0]).toBe("defghijklmno");
    expect(info.eosTokenIds).toEqual(files.model.eosTokenIds);
    expect(info.contextLength).toBe(512);
    expect(info.positionRows).toBe(512);
  });

  it("takes the context from the position table over a tokenizer that says more, even for quantized tables", async () => {
    const { dir } = await layout({
      contextLength: 64,
      tokenizerMaxLength: 2048,
      omitConfigContext: true,
      positionIds: false,
      variants: ["quantized"],
    });
    const info = await inspectArtifact(dir);
    expect(info).toMatchObject({ positionRows: 64, contextLength: 64, contextLengthSource: "position table" });
    // A registry override below the table wins; one above it is cut at the table.
    expect((await inspectArtifact(dir, { contextLength: 32 })).contextLength).toBe(32);
    expect((await inspectArtifact(dir, { contextLength: 4096 })).contextLength).toBe(64);
    // A prompt that leaves one position finishes with `length` instead of running past the table.
    const out = await engine.complete({ dir }, { prompt: "a".repeat(63), temperature: 0, maxTokens: 50 });
    expect(out.stats.finishReason).toBe("length");
    expect(out.stats.tokensOut).toBe(1);
    await expect(
      engine.complete({ dir, contextLength: 16 }, { prompt: "a".repeat(20), temperature: 0 }),
    ).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("tells the decoder from an encoder or a vision part by inputs and outputs, and refuses a broken .onnx", async () => {
    const { dir } = await layout({ folder: "onnx" });
    const fp32 = onnx.ModelProto.decode(await readFile(path.join(dir, "onnx/model.onnx")));
    const renamed = (from: string, to: string) => {
      const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(fp32).finish());
      for (const node of copy.graph?.node ?? []) node.output = node.output?.map((o) => (o === from ? to : o));
      for (const value of [...(copy.graph?.output ?? []), ...(copy.graph?.input ?? [])])
        if (value.name === from) value.name = to;
      return onnx.ModelProto.encode(copy).finish();
    };
    // Named like decoders, but an encoder (hidden states out) and an embedding part (no input_ids): not chosen.
    await writeFile(path.join(dir, "decoder_model_merged.onnx"), renamed("logits", "last_hidden_state"));
    await writeFile(path.join(dir, "model.onnx"), renamed("input_ids", "pixel_values"));
    const info = await inspectArtifact(dir);
    expect(info.files.model).toBe("onnx/model.onnx");
    expect(info.variants).toEqual([{ name: "fp32", file: "onnx/model.onnx" }]);

    await unlink(path.join(dir, "onnx/model.onnx"));
    await expect(inspectArtifact(dir)).rejects.toMatchObject({
      code: "UNPROCESSABLE",
      message: expect.stringMatching(/found decoder_model_merged\.onnx \(encoder\), model\.onnx \(other\)$/),
    });
    await writeFile(path.join(dir, "onnx/junk.onnx"), "not a model");
    await expect(inspectArtifact(dir)).rejects.toMatchObject({
      message: expect.stringMatching(/^junk\.onnx is not a valid ONNX file/),
    });
  });
});
