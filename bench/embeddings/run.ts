/**
 * Embedding throughput: the engine's `embed` (inputs sorted by length, padded sub-batches) against a bare
 * onnxruntime-node loop that runs each input alone (no padding, no batching), on a MiniLM-L6-sized encoder built
 * by our own code. Fails if any vector differs by more than 1e-4. See bench/README.md "Embeddings".
 *
 *   npx tsx bench/embeddings/run.ts [--inputs 256] [--reps 5]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { referenceModel } from "@/server/modules/inference/embeddings/testing/reference";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { writeEncoderModel } from "@/server/modules/inference/model-builder/encoder-model";

const { values } = parseArgs({
  options: { inputs: { type: "string", default: "256" }, reps: { type: "string", default: "5" } },
});
const count = Number(values.inputs);
const reps = Number(values.reps);
const WORDS = ["the", "cat", "sat", "on", "mat", "dog", "paris", "capital", "france", "search", "query", "document"];

const dir = await mkdtemp(path.join(tmpdir(), "switchyard-bench-embeddings-"));
await writeEncoderModel(dir, { layers: 6, hiddenSize: 384, heads: 6, contextLength: 256 });
// Lengths from 3 to about 120 tokens, a spread like a real corpus of chunks.
const texts = Array.from({ length: count }, (_, i) => {
  const words = 1 + ((i * 37) % 100);
  return Array.from({ length: words }, (_, j) => WORDS[(i + j * 7) % WORDS.length]).join(" ");
});
const engine = new InferenceEngine({ device: "cpu" });
const bare = await referenceModel(dir);
const ref = { dir, name: "bench-encoder" };

const engineRun = async () => (await engine.embed(ref, texts)).vectors;
const bareRun = async () => {
  const out: number[][] = [];
  for (const text of texts) out.push(await bare.embed(text));
  return out;
};

const first = await engineRun();
const reference = await bareRun();
let worst = 0;
for (const [i, vector] of first.entries())
  for (const [h, x] of vector.entries()) worst = Math.max(worst, Math.abs(x - reference[i][h]));
if (worst > 1e-4) throw new Error(`vectors differ by ${worst}`);

const times = { engine: [] as number[], bare: [] as number[] };
for (let r = 0; r < reps; r++) {
  for (const [name, run] of [
    ["engine", engineRun],
    ["bare", bareRun],
  ] as const) {
    const start = performance.now();
    await run();
    times[name].push(performance.now() - start);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tokens = texts.reduce((n, t) => n + bare.tokenizer.encode(t).ids.length, 0);
console.log(`${count} inputs, ${tokens} tokens, max |difference| ${worst.toExponential(1)}`);
for (const name of ["engine", "bare"] as const) {
  const ms = median(times[name]);
  console.log(
    `${name.padEnd(7)} median ${ms.toFixed(0)} ms  ${((count * 1000) / ms).toFixed(0)} inputs/s  ${((tokens * 1000) / ms).toFixed(0)} tokens/s`,
  );
}
await bare.release();
await engine.close();
await rm(dir, { recursive: true, force: true });
