// LocalBlobStore on a real file system: a model folder asked for by many requests at once (a batch's first
// lines, a burst of live traffic) is materialized once, and two stores (two processes) racing for the same
// folder both get a complete one.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBlobStore, type Manifest, manifestSha256 } from "./blob-store";

let root: string;
let manifest: Manifest;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "blob-store-"));
  const store = new LocalBlobStore(root);
  manifest = {};
  for (const name of ["model.onnx", "tokenizer.json", "onnx/model_q4.onnx"]) {
    const source = path.join(root, name.replaceAll("/", "_"));
    await writeFile(source, `contents of ${name}`);
    manifest[name] = (await store.put(source)).sha256;
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("LocalBlobStore.materialize", () => {
  it("gives every concurrent caller, in one process or two, the same complete folder", async () => {
    const sha = manifestSha256(manifest);
    const one = new LocalBlobStore(root);
    const other = new LocalBlobStore(root);
    const dirs = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? one : other).materialize(sha, manifest)),
    );
    expect(new Set(dirs).size).toBe(1);
    for (const name of Object.keys(manifest))
      expect(await readFile(path.join(dirs[0], name), "utf8")).toBe(`contents of ${name}`);
    const { readdir } = await import("node:fs/promises");
    expect((await readdir(path.join(root, "models"))).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });
});
