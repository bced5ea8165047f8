import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestModel } from "../model-builder";
import { onnx } from "../onnx-proto";
import { readOnnxFacts } from "./onnx-file";
import { readOnnxSkeleton } from "./onnx-skeleton";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-skeleton-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("readOnnxSkeleton", () => {
  it("keeps the structure and leaves the weights on disk", async () => {
    const built = buildTestModel({ useCacheBranch: true });
    const file = path.join(root, "model.onnx");
    await writeFile(file, built.onnx);
    const { model, fileSize } = await readOnnxSkeleton(file);
    const full = onnx.ModelProto.decode(built.onnx);
    expect(fileSize).toBe(built.onnx.byteLength);
    expect(model.graph?.node?.length).toBe(full.graph?.node?.length);
    expect(model.graph?.initializer?.map((t) => [t.name, t.dims?.map(Number)])).toEqual(
      full.graph?.initializer?.map((t) => [t.name, t.dims?.map(Number)]),
    );
    expect(model.graph?.initializer?.every((t) => (t.rawData?.byteLength ?? 0) === 0)).toBe(true);
    expect(onnx.ModelProto.encode(model).finish().byteLength).toBeLessThan(built.onnx.byteLength / 20);
    // The merged decoder's `If` branches are read too.
    const facts = await readOnnxFacts(file);
    expect(facts.parameterCount).toBe(
      full.graph!.initializer!.reduce((n, t) => n + t.dims!.reduce<number>((m, d) => m * Number(d), 1), 0) +
        full
          .graph!.node!.flatMap((n) => n.attribute ?? [])
          .flatMap((a) => (a.g ? (a.g.initializer ?? []) : []))
          .reduce((n, t) => n + t.dims!.reduce<number>((m, d) => m * Number(d), 1), 0),
    );
    expect(facts).toMatchObject({ role: "decoder", positionRows: 512, opset: 17 });
  });
});
