/**
 * Experiment assignment throughput, in process, against baselines measured
 * in the same run:
 *
 *   npx tsx bench/experiments/assignment.ts [--units 1000000] [--reps 7]
 *
 * - Switchyard compiled path: `compileAssignment(config).assign(unitId)` — what
 *   the gateway does per request with a cached compiled experiment.
 * - GrowthBook-style per call: `growthbookHash(salt, unitId)` (string
 *   concatenation + String() of the first hash) + `chooseVariation`, i.e. the
 *   same result computed the straightforward way.
 * - Baseline, non-sticky: Math.random() + range scan (the floor: no hashing at all).
 * - Baseline, naive sticky: SHA-1 of `${salt}:${unitId}` via node:crypto, first
 *   4 bytes as the bucket (a common hand-rolled approach).
 * - One-shot `assign({...})` with a fresh config object per call (as a service
 *   that loads the experiment row per request would): it keys its cache of
 *   compiled configs by content, so it pays a JSON key per call, not a validation.
 *
 * Unit ids are random UUIDs (36 characters). One warm-up pass each, then
 * `reps` repetitions interleaved so drift hits every candidate alike; the
 * figure is the median of assignments per second. Before timing, the compiled
 * path is checked to give the same variant as the GrowthBook-style computation.
 */
import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import {
  type AssignmentConfig,
  assign,
  bucketRanges,
  chooseVariation,
  compileAssignment,
  growthbookHash,
} from "@/server/modules/experiments/assignment";

const { values } = parseArgs({
  options: { units: { type: "string", default: "1000000" }, reps: { type: "string", default: "7" } },
});
const UNITS = Number(values.units);
const REPS = Number(values.reps);

const config: AssignmentConfig = {
  salt: "exp_7f3a9c2e-prompt-v7-vs-v8",
  trafficShare: 0.8,
  variants: [
    { key: "control", weight: 50 },
    { key: "prompt-v8", weight: 30 },
    { key: "prompt-v8-gpt", weight: 20 },
  ],
};
const keys = config.variants.map((v) => v.key);
const ranges = bucketRanges(
  config.variants.map((v) => v.weight),
  config.trafficShare,
);
const compiled = compileAssignment(config);
const unitIds = Array.from({ length: UNITS }, () => randomUUID());

for (const id of unitIds.slice(0, 100_000)) {
  const reference = chooseVariation(growthbookHash(config.salt, id, 2), ranges);
  const got = compiled.assign(id).variantKey;
  if (got !== (reference === -1 ? null : keys[reference])) throw new Error(`mismatch for ${id}: ${got}`);
}

/** Each candidate returns how many units it put in the experiment (a sink so nothing is optimized away). */
const candidates: { name: string; run: (ids: string[]) => number }[] = [
  {
    name: "Switchyard compiled assign(unitId)",
    run: (ids) => {
      let inside = 0;
      for (const id of ids) if (compiled.assign(id).variantKey !== null) inside++;
      return inside;
    },
  },
  {
    name: "GrowthBook-style hash(seed + id) per call",
    run: (ids) => {
      let inside = 0;
      for (const id of ids) if (chooseVariation(growthbookHash(config.salt, id, 2), ranges) >= 0) inside++;
      return inside;
    },
  },
  {
    name: "baseline: Math.random() non-sticky",
    run: (ids) => {
      let inside = 0;
      for (let i = 0; i < ids.length; i++) if (chooseVariation(Math.random(), ranges) >= 0) inside++;
      return inside;
    },
  },
  {
    name: "baseline: SHA-1 (node:crypto) sticky",
    run: (ids) => {
      let inside = 0;
      for (const id of ids) {
        const bucket = createHash("sha1").update(`${config.salt}:${id}`).digest().readUInt32BE(0) / 4294967296;
        if (chooseVariation(bucket, ranges) >= 0) inside++;
      }
      return inside;
    },
  },
  {
    name: "one-shot assign({...}) (cached compile)",
    run: (ids) => {
      let inside = 0;
      for (const id of ids) {
        const fresh = { ...config, variants: config.variants.map((v) => ({ ...v })) };
        if (assign({ ...fresh, unitId: id }).variantKey !== null) inside++;
      }
      return inside;
    },
  },
];

function timeOnce(candidate: (typeof candidates)[number]): { perSecond: number; inside: number } {
  const ids = unitIds;
  const start = process.hrtime.bigint();
  const inside = candidate.run(ids);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: ids.length / seconds, inside };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

for (const candidate of candidates) timeOnce(candidate); // warm-up
const samples = candidates.map(() => [] as number[]);
let sink = 0;
for (let rep = 0; rep < REPS; rep++) {
  candidates.forEach((candidate, i) => {
    const { perSecond, inside } = timeOnce(candidate);
    samples[i].push(perSecond);
    sink += inside;
  });
}

const cpus = os.cpus();
const machine = `${cpus.length} vCPU ${cpus[0]?.model.trim() ?? "unknown"}, ${os.platform()} ${os.arch()}, Node ${process.version}`;
console.log(`machine: ${machine}`);
console.log(
  `units: ${UNITS.toLocaleString("en")} random UUIDs, reps: ${REPS}, traffic share ${config.trafficShare}, 3 variants`,
);
const compiledRate = median(samples[0]);
const rows = candidates.map((candidate, i) => {
  const rate = median(samples[i]);
  return {
    run: candidate.name,
    medianPerSecond: Math.round(rate),
    minPerSecond: Math.round(Math.min(...samples[i])),
    maxPerSecond: Math.round(Math.max(...samples[i])),
    compiledIsFaster: i === 0 ? "—" : `${(compiledRate / rate).toFixed(2)}x`,
  };
});
console.table(rows);
console.log(JSON.stringify({ machine, units: UNITS, reps: REPS, rows, sink }));
if (compiledRate < 1_000_000) {
  console.error(`below target: ${Math.round(compiledRate)} assignments/s < 1,000,000`);
  process.exitCode = 1;
}
