/**
 * The per-token cost of constrained decoding: decode tokens/s on the bench model (BENCH_MODEL_OPTIONS) without a
 * constraint and with a json_schema constraint, side by side in one process, alternating, same seeds. "cold" runs
 * use a fresh grammar each time (every mask computed by walking the vocabulary trie); "warm" runs reuse the
 * grammar's mask cache (the steady state of a schema served repeatedly).
 *
 * A second table times the constraint alone (mask + advance per token, no model): an answer's tokens replayed
 * through a fresh grammar (cold) and a reused one (warm).
 *
 *   npx tsx bench/inference/constraint.ts [--tokens 160] [--reps 5]
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { StructuredOutputSpec } from "@/server/modules/inference/constraint";
import { InferenceEngine } from "@/server/modules/inference/engine";
import { BENCH_MODEL_OPTIONS, writeTestModel } from "@/server/modules/inference/model-builder";
import { createConstraint } from "@/server/modules/inference/structured";
import { tokenVocabulary } from "@/server/modules/inference/structured/vocabulary";
import { ModelTokenizer, pickChatTemplate } from "@/server/modules/inference/tokenizer";

const { values } = parseArgs({
  options: { tokens: { type: "string", default: "160" }, reps: { type: "string", default: "5" } },
});
const TOKENS = Number(values.tokens);
const REPS = Number(values.reps);

const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-constraint-bench-"));
await writeTestModel(dir, { ...BENCH_MODEL_OPTIONS, contextLength: 1024 });
const engine = new InferenceEngine({ device: "cpu" });
const ref = { dir };
await engine.load(ref);

/** A document long enough to fill TOKENS: objects with strings, numbers, enums, in an array. */
const schema = {
  type: "object",
  properties: {
    rows: {
      type: "array",
      minItems: 40,
      maxItems: 40,
      items: {
        type: "object",
        properties: {
          name: { type: "string", maxLength: 12 },
          score: { type: "number" },
          kind: { enum: ["a", "bb", "ccc"] },
          ok: { type: "boolean" },
        },
        required: ["name", "score", "kind", "ok"],
        additionalProperties: false,
      },
    },
  },
  required: ["rows"],
  additionalProperties: false,
};
const spec = (name: string): StructuredOutputSpec => ({ type: "json_schema", name, schema, strict: true });
const messages = [{ role: "user", content: "List the rows." }];

async function run(structured: StructuredOutputSpec | undefined, seed: number) {
  const { stats } = await engine.complete(ref, {
    messages,
    structured,
    temperature: 1,
    seed,
    maxTokens: TOKENS,
    ignoreEos: structured === undefined,
  });
  return stats;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await run(undefined, 0); // warm-up
await run(spec("warm"), 0);
const rows: Record<string, { tps: number[]; tokens: number[] }> = { none: { tps: [], tokens: [] } };
rows.cold = { tps: [], tokens: [] };
rows.warm = { tps: [], tokens: [] };
for (let i = 0; i < REPS; i++) {
  for (const [label, structured] of [
    ["none", undefined],
    ["cold", spec(`cold-${i}`)],
    ["warm", spec("warm")],
  ] as const) {
    const stats = await run(structured, i + 1);
    rows[label].tps.push(stats.tokensPerSecond);
    rows[label].tokens.push(stats.tokensOut);
  }
}
const answer = (
  await engine.complete(ref, { messages, structured: spec("warm"), temperature: 1, seed: 9, maxTokens: 2000 })
).text;
await engine.close();

// The constraint alone: the answer's tokens replayed, mask + advance timed per token.
const read = async (file: string) => JSON.parse(await readFile(path.join(dir, file), "utf8"));
const config = await read("tokenizer_config.json");
const tokenizer = new ModelTokenizer(await read("tokenizer.json"), config, pickChatTemplate(config));
const ids = tokenizer.encode(answer, false);
const logits = new Float32Array(tokenVocabulary(tokenizer.tokenizerJson).bytes.length);
function replay(name: string): number {
  const constraint = createConstraint(spec(name), tokenizer, [])!;
  const started = performance.now();
  for (const id of ids) {
    constraint.mask(logits);
    constraint.advance(id);
  }
  return ((performance.now() - started) * 1000) / ids.length;
}
replay("replay-warm");
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < REPS; i++) {
  cold.push(replay(`replay-cold-${i}`));
  warm.push(replay("replay-warm"));
}

// The same replay over a synthetic 100k-token byte-level vocabulary (a real model's size): the test model's is
// ~300 tokens, and a cold mask walks the whole trie of token strings.
const big = await read("tokenizer.json");
const random = seeded(7);
const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.:;"{}[]-_Ġ';
const vocab = big.model.vocab as Record<string, number>;
let next = 300;
while (next < 100_000) {
  let token = "";
  for (let n = 2 + Math.floor(random() * 8); n > 0; n--) token += alphabet[Math.floor(random() * alphabet.length)];
  if (!(token in vocab)) vocab[token] = next++;
}
big.added_tokens = [];
const bigTokenizer = new ModelTokenizer(big, config, null);
const bigLogits = new Float32Array(next);
function replayBig(name: string): number {
  const constraint = createConstraint(spec(name), bigTokenizer, [])!;
  const started = performance.now();
  for (const id of ids) {
    constraint.mask(bigLogits);
    constraint.advance(id);
  }
  return ((performance.now() - started) * 1000) / ids.length;
}
const bigCold = replayBig("big-cold");
const bigWarm = replayBig("big-cold");
await rm(dir, { recursive: true, force: true });

const base = median(rows.none.tps);
for (const [label, row] of Object.entries(rows)) {
  const tps = median(row.tps);
  console.log(
    JSON.stringify({
      constraint: label,
      tokensPerSecond: Math.round(tps * 10) / 10,
      msPerToken: Math.round((1000 / tps) * 1000) / 1000,
      vsNone: `${Math.round((tps / base) * 1000) / 10}%`,
      medianTokensOut: median(row.tokens),
    }),
  );
}
console.log(
  JSON.stringify({
    constraintAlone: {
      tokens: ids.length,
      vocabulary: logits.length,
      coldMicrosPerToken: Math.round(median(cold) * 10) / 10,
      warmMicrosPerToken: Math.round(median(warm) * 10) / 10,
    },
    synthetic100k: { coldMicrosPerToken: Math.round(bigCold), warmMicrosPerToken: Math.round(bigWarm) },
  }),
);

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
