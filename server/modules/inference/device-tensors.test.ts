import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disposeState, replaceState, sessionOptionsFor } from "./device-tensors";
import { writeTestModel } from "./model-builder";

// Temp files and onnxruntime (CPU) only: no GPU here, so the option building and the disposal rules are
// checked against the real binding's parsing and real Tensor objects (a GPU-buffer tensor over a stand-in buffer).
let root: string;
let modelFile: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-device-tensors-"));
  await writeTestModel(root);
  modelFile = path.join(root, "model.onnx");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const OUTPUTS = ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"];

function deviceTensor(onDispose: () => void): ort.Tensor {
  return ort.Tensor.fromGpuBuffer({ size: 16 } as never, { dataType: "float32", dims: [1, 4], dispose: onDispose });
}

describe("sessionOptionsFor", () => {
  it("keeps every state output in a GPU buffer on WebGPU and reads the logits on the CPU", () => {
    expect(sessionOptionsFor("webgpu", OUTPUTS)).toEqual({
      preferredOutputLocation: {
        logits: "cpu",
        "present.0.key": "gpu-buffer",
        "present.0.value": "gpu-buffer",
        "present.1.key": "gpu-buffer",
        "present.1.value": "gpu-buffer",
      },
    });
  });

  it("asks for nothing on CPU, on CUDA (the Node binding binds device outputs to WebGPU memory only) or without state", () => {
    expect(sessionOptionsFor("cpu", OUTPUTS)).toEqual({});
    expect(sessionOptionsFor("cuda", OUTPUTS)).toEqual({});
    expect(sessionOptionsFor("webgpu", ["logits"])).toEqual({});
  });

  it("builds options onnxruntime-node accepts for a real model's outputs, and the binding checks the names", async () => {
    const plain = await ort.InferenceSession.create(modelFile);
    const options = sessionOptionsFor("webgpu", plain.outputNames);
    expect(Object.keys(options.preferredOutputLocation ?? {})).toEqual(plain.outputNames);
    await plain.release();
    // Creating the session parses every name against the graph's outputs (running needs a WebGPU device).
    const bound = await ort.InferenceSession.create(modelFile, options);
    await bound.release();
    await expect(
      ort.InferenceSession.create(modelFile, { preferredOutputLocation: { "present.99.key": "gpu-buffer" } }),
    ).rejects.toThrow(/present\.99\.key/);
  });
});

describe("replaceState and disposeState", () => {
  it("passes CPU state through untouched: on CPU nothing changes", () => {
    const previous = { "past.0": new ort.Tensor("float32", new Float32Array(4), [1, 4]) };
    const next = { "past.0": new ort.Tensor("float32", new Float32Array(4), [1, 4]) };
    expect(replaceState({}, previous, next)).toBe(next);
    expect(previous["past.0"].location).toBe("cpu");
    expect(previous["past.0"].data).toHaveLength(4);
  });

  it("disposes the device state a step replaced, once, and never the state it returns", () => {
    const disposed: string[] = [];
    const owner = {};
    const first = { a: deviceTensor(() => disposed.push("a1")), b: deviceTensor(() => disposed.push("b1")) };
    const second = { a: deviceTensor(() => disposed.push("a2")), b: deviceTensor(() => disposed.push("b2")) };
    // The first step's past is the CPU initial state: nothing to free.
    replaceState(owner, { a: new ort.Tensor("float32", new Float32Array(4), [1, 4]) }, first);
    expect(disposed).toEqual([]);
    expect(replaceState(owner, first, second)).toBe(second);
    expect(disposed).toEqual(["a1", "b1"]);
    expect(first.a.location).toBe("none");
    expect(second.a.location).toBe("gpu-buffer");
    disposeState(second);
    disposeState(second);
    expect(disposed).toEqual(["a1", "b1", "a2", "b2"]);
  });
});
