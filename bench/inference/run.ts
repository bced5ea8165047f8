/**
 * Inference benchmark: tokens/s of the engine against a bare onnxruntime-node
 * greedy loop on the same model in the same process, and the KV cache on vs
 * off. See bench/README.md for the method and the latest figures.
 *
 *   npx tsx bench/inference/run.ts [--tokens 128] [--reps 7] [--small]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "128" },
    reps: { type: "string", default: "7" },
    small: { type: "boolean", default: false },
  },
});
const NEW_TOKENS = Number(values.tokens);
const REPS = Number(values.reps);
const PROMPT = "Benchmarks measure what they measure and nothing else, so write down how they were run";

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The baseline: the least code that generates greedily with onnxruntime-node and a KV cache. */
async function bareGreedy(
  session: ort.InferenceSession,
  tokenizer: Tokenizer,
  layers: number,
  heads: number,
  headSize: number,
) {
  let ids = tokenizer.encode(PROMPT).ids;
  const out: number[] = [];
  let past: Record<string, ort.Tensor> = {};
  for (let l = 0; l < layers; l++) {
    for (const kv of ["key", "value"]) {
      past[`past_key_values.${l}.${kv}`] = new ort.Tensor("float32", new Float32Array(0), [1, heads, 0, headSize]);
    }
  }
  let pastLength = 0;
  while (out.length < NEW_TOKENS) {
    const n = ids.length;
    const result = await session.run({
      input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor("int64", new BigInt64Array(pastLength + n).fill(1n), [1, pastLength + n]),
      position_ids: new ort.Tensor(
        "int64",
        BigInt64Array.from(ids, (_, i) => BigInt(pastLength + i)),
        [1, n],
      ),
      ...past,
    });
    const logits = result.logits.data as Float32Array;
    const vocab = logits.length / n;
    let best = 0;
    for (let i = 1; i < vocab; i++) if (logits[(n - 1) * vocab + i] > logits[(n - 1) * vocab + best]) best = i;
    out.push(best);
    past = {};
    for (let l = 0; l < layers; l++) {
      for (const kv of ["key", "value"])
        past[`past_key_values.${l}.${kv}`] = result[`present.${l}.${kv}`] as ort.Tensor;
    }
    pastLength += n;
    ids = [best];
  }
  return tokenizer.decode(out);
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

const root = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-"));
try {
  const buildStarted = performance.now();
  const files = await writeTestModel(root, values.small ? {} : BENCH_MODEL_OPTIONS);
  const buildMs = performance.now() - buildStarted;
  const { layers, heads, hidden } = files.dimensions;
  const modelPath = path.join(root, files.modelFileName);

  const engine = new InferenceEngine({ device: "cpu" });
  const ref = { dir: root, name: "bench" };
  const { info } = await engine.load(ref);
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
  });
  const tokenizer = new Tokenizer(
    files.json["tokenizer.json"] as object,
    files.json["tokenizer_config.json"] as object,
  );
  const request = { prompt: PROMPT, temperature: 0, maxTokens: NEW_TOKENS, ignoreEos: true };
  const ours = (useCache: boolean) => engine.complete(ref, { ...request, useCache });
  const bare = () => bareGreedy(session, tokenizer, layers, heads, hidden / heads);

  // Warm-up (first runs allocate arenas and JIT the JS), and a check that both produce the same text.
  const [oursText, bareText] = [(await ours(true)).text, await bare()];
  if (oursText !== bareText) throw new Error(`outputs differ:\n ours ${oursText}\n bare ${bareText}`);
  await ours(false);

  const oursMs: number[] = [];
  const bareMs: number[] = [];
  const tpot: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    // Interleaved, so drift (thermal, other processes) hits both alike.
    const a = await time(() => ours(true));
    oursMs.push(a.ms);
    tpot.push(a.result.stats.tpotMs);
    bareMs.push((await time(bare)).ms);
  }
  const noCacheMs: number[] = [];
  for (let rep = 0; rep < Math.max(3, Math.ceil(REPS / 2)); rep++) noCacheMs.push((await time(() => ours(false))).ms);

  const tps = (ms: number) => (NEW_TOKENS / ms) * 1000;
  const rows = [
    ["bare onnxruntime-node loop (KV cache)", median(bareMs)],
    ["Switchyard engine (KV cache)", median(oursMs)],
    ["Switchyard engine (no cache, full recompute)", median(noCacheMs)],
  ] as const;
  const cpu = os.cpus();
  console.log(
    `model: ${info.parameterCount.toLocaleString("en")} parameters, ${(info.sizeBytes / 2 ** 20).toFixed(1)} MiB, ${info.variant.description}; built in ${Math.round(buildMs)} ms`,
  );
  console.log(
    `machine: ${cpu.length} x ${cpu[0]?.model.trim()}, ${os.platform()} ${os.arch()}, Node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
  );
  console.log(
    `prompt ${tokenizer.encode(PROMPT).ids.length} tokens, ${NEW_TOKENS} new tokens, greedy; median of ${REPS} (no cache: ${noCacheMs.length}) after one warm-up\n`,
  );
  console.log("| run | median ms | tokens/s |");
  console.log("| --- | ---: | ---: |");
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${tps(ms).toFixed(1)} |`);
  const ratio = median(bareMs) / median(oursMs);
  console.log(`\nengine / bare tokens/s: ${(ratio * 100).toFixed(1)} % (target >= 90 %)`);
  console.log(`KV cache speed-up: ${(median(noCacheMs) / median(oursMs)).toFixed(2)} x`);
  console.log(
    `engine's own tpot: median ${median(tpot).toFixed(2)} ms (${(1000 / median(tpot)).toFixed(1)} tokens/s decode only)`,
  );
  await session.release();
  await engine.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
