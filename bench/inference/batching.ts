/**
 * Dynamic batching: aggregate tokens/s of 1 and 8 concurrent greedy streams on the benchmark model, through
 * the engine configured one at a time (`maxRunningPerModel: 1`, what the engine did before batching) and
 * batching (8), same process, same model folder, rounds interleaved. Fails if the two configurations'
 * texts differ. See bench/README.md ("Dynamic batching").
 *
 *   npx tsx bench/inference/batching.ts [--tokens 128] [--reps 3] [--streams 8] [--short]
 *
 * `--short`: chat-turn-sized prompts (10-20 tokens) instead of 60-80, so the cache each step reads and copies is
 * shorter (the ratio depends on it: see bench/README.md).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";
import type { GenerationStats } from "@/server/modules/inference/types";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "128" },
    reps: { type: "string", default: "3" },
    streams: { type: "string", default: "8" },
    short: { type: "boolean", default: false },
    // Key/value heads of the bench model: 6 is GPT-2-style multi-head attention (the default bench model);
    // 2 is grouped-query attention at SmolLM2's 3:1 ratio (Llama 3 is 4:1, Qwen2.5-0.5B 7:1).
    "kv-heads": { type: "string", default: String(BENCH_MODEL_OPTIONS.heads) },
  },
});
const KV_HEADS = Number(values["kv-heads"]);
const NEW_TOKENS = Number(values.tokens);
const REPS = Number(values.reps);
const STREAMS = Number(values.streams);

// Prompts of similar length (60-80 tokens), different text: rows are distinct sequences, little padding.
const PROMPTS = Array.from({ length: STREAMS }, (_, i) =>
  values.short
    ? `Request ${i}: hello ${"xy".repeat(i)}`
    : `Request ${i}: benchmarks measure what they measure and nothing else, so write down how they ran ${"xyz".repeat(i)}`,
);

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

interface Round {
  tokensPerSecond: number;
  ttftMs: number;
  texts: string[];
}

/** `streams` requests at once; aggregate tokens/s = all new tokens over the wall time of the whole round. */
async function round(engine: InferenceEngine, dir: string, streams: number): Promise<Round> {
  const started = performance.now();
  const results = await Promise.all(
    PROMPTS.slice(0, streams).map((prompt) =>
      engine.complete({ dir }, { prompt, temperature: 0, maxTokens: NEW_TOKENS, ignoreEos: true }),
    ),
  );
  const ms = performance.now() - started;
  const tokens = results.reduce((sum, r) => sum + r.stats.tokensOut, 0);
  const stats: GenerationStats[] = results.map((r) => r.stats);
  return {
    tokensPerSecond: (tokens / ms) * 1000,
    ttftMs: stats.reduce((sum, s) => sum + s.ttftMs, 0) / stats.length,
    texts: results.map((r) => r.text),
  };
}

const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-batching-bench-"));
try {
  await writeTestModel(dir, { ...BENCH_MODEL_OPTIONS, kvHeads: KV_HEADS });
  const configs = [
    {
      name: "one at a time (maxRunningPerModel 1)",
      engine: new InferenceEngine({ device: "cpu", maxRunningPerModel: 1 }),
    },
    {
      name: `batching (maxRunningPerModel ${STREAMS})`,
      engine: new InferenceEngine({ device: "cpu", maxRunningPerModel: STREAMS }),
    },
  ];
  const { info } = await configs[0].engine.load({ dir });
  await configs[1].engine.load({ dir });
  // Warm-up, and the check that batching changes no text.
  const warm = await Promise.all(configs.map((c) => round(c.engine, dir, STREAMS)));
  if (warm[0].texts.join("\n") !== warm[1].texts.join("\n")) throw new Error("batched texts differ from one at a time");

  const results = new Map<string, Round[]>();
  for (let rep = 0; rep < REPS; rep++) {
    // Interleaved, so drift (other processes on a shared machine) hits every cell alike.
    for (const streams of [1, STREAMS]) {
      for (const c of configs) {
        const key = `${c.name}|${streams}`;
        results.set(key, [...(results.get(key) ?? []), await round(c.engine, dir, streams)]);
      }
    }
  }
  const cpu = os.cpus();
  console.log(`model: ${info.parameterCount.toLocaleString("en")} parameters, ${info.variant.description}`);
  console.log(
    `machine: ${cpu.length} x ${cpu[0]?.model.trim()}, Node ${process.version}, onnxruntime-node ${ort.env.versions.common}`,
  );
  const promptChars = PROMPTS.map((p) => p.length);
  console.log(
    `${NEW_TOKENS} new tokens per stream, greedy, ${values.short ? "short" : "long"} prompts (${Math.min(...promptChars)}-${Math.max(...promptChars)} characters); median of ${REPS} rounds after one warm-up\n`,
  );
  console.log("| engine | streams | aggregate tokens/s | mean TTFT ms |");
  console.log("| --- | ---: | ---: | ---: |");
  const cell = (name: string, streams: number) => {
    const rounds = results.get(`${name}|${streams}`)!;
    return { tps: median(rounds.map((r) => r.tokensPerSecond)), ttft: median(rounds.map((r) => r.ttftMs)) };
  };
  for (const c of configs) {
    for (const streams of [1, STREAMS]) {
      const { tps, ttft } = cell(c.name, streams);
      console.log(`| ${c.name} | ${streams} | ${tps.toFixed(1)} | ${ttft.toFixed(1)} |`);
    }
  }
  const single = cell(configs[1].name, 1).tps;
  const batched = cell(configs[1].name, STREAMS).tps;
  const oneAtATime = cell(configs[0].name, STREAMS).tps;
  console.log(
    `\n${STREAMS} streams batched / 1 stream: ${(batched / single).toFixed(2)} x (target >= 2.5 x); ` +
      `/ ${STREAMS} streams one at a time: ${(batched / oneAtATime).toFixed(2)} x`,
  );
  for (const c of configs) await c.engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
