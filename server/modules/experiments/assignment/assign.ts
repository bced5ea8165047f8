/**
 * Sticky, deterministic assignment of a unit (user, session, API key, …) to
 * an experiment variant. The same salt and unit id always give the same
 * variant, on every replica, with no lookup: bucket = GrowthBook hash v2 of
 * (salt, unitId), variant = the range that holds the bucket.
 *
 * Without a unit id there is nothing to be sticky on: the bucket comes from
 * the caller's random source and the assignment is marked `sticky: false`
 * (count such traffic separately; it cannot be attributed to a unit).
 *
 * Use `compileAssignment` once per experiment config (the gateway caches it)
 * and call `.assign()` per request; `assign()` is the one-shot convenience.
 */
import { z } from "zod";
import { BUCKETS, FNV_OFFSET_BASIS, fnv1a32OfDecimal, fnv1aUpdate } from "./hash";
import { type BucketRange, bucketRanges } from "./ranges";

const MIN_VARIANTS = 2;
const MAX_VARIANTS = 100;
/** Weights must sum to 100 within this tolerance (so 33.33 + 33.33 + 33.34 passes). */
const WEIGHT_SUM_TOLERANCE = 1e-6;

const variantWeightSchema = z.object({
  key: z.string().min(1, "Variant key is required"),
  /** Percent of the experiment's traffic, 0–100. */
  weight: z.number().min(0, "Weights cannot be negative").max(100),
});

const assignmentConfigSchema = z
  .object({
    /** Hash seed, fixed for the life of an experiment phase (e.g. the experiment id). Changing it reshuffles everyone. */
    salt: z.string().min(1, "Salt is required"),
    /** Share of all traffic that enters the experiment, 0–1. Raising it never moves assigned units. */
    trafficShare: z.number().min(0).max(1),
    variants: z
      .array(variantWeightSchema)
      .min(MIN_VARIANTS, `An experiment needs at least ${MIN_VARIANTS} variants`)
      .max(MAX_VARIANTS, `At most ${MAX_VARIANTS} variants`),
  })
  .superRefine((config, ctx) => {
    const keys = config.variants.map((v) => v.key);
    if (new Set(keys).size !== keys.length) {
      ctx.addIssue({ code: "custom", path: ["variants"], message: "Variant keys must be unique" });
    }
    const total = config.variants.reduce((sum, v) => sum + v.weight, 0);
    if (Math.abs(total - 100) > WEIGHT_SUM_TOLERANCE) {
      ctx.addIssue({ code: "custom", path: ["variants"], message: `Weights must sum to 100 (they sum to ${total})` });
    }
  });
export type AssignmentConfig = z.infer<typeof assignmentConfigSchema>;

export interface Assignment {
  /** The variant, or null when the unit is outside the traffic share (not in the experiment). */
  variantKey: string | null;
  /** Where the unit fell in [0, 1): hash v2 of (salt, unitId), or the random draw. */
  bucket: number;
  /** True when derived from the unit id (same answer every time), false for per-request randomness. */
  sticky: boolean;
}

/** A uniform source on [0, 1), e.g. Math.random or a seeded PRNG in tests. */
export type RandomSource = () => number;

export interface CompiledAssignment {
  readonly config: AssignmentConfig;
  readonly ranges: readonly BucketRange[];
  /** The sticky bucket of a unit id (GrowthBook hash v2 with the experiment's salt). */
  bucketOf(unitId: string): number;
  /** Assign a unit; without a unit id (undefined, null or "") the random source decides, unsticky. */
  assign(unitId?: string | null, random?: RandomSource): Assignment;
}

/** Validate a config; throws a RangeError listing what is wrong. */
function parseAssignmentConfig(config: AssignmentConfig): AssignmentConfig {
  const parsed = assignmentConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new RangeError(
      `Invalid experiment assignment config: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  return parsed.data;
}

/**
 * Precompute everything that does not depend on the unit: the validated
 * config, the ranges, and the FNV state after the salt (FNV-1a is a running
 * fold, so hashing salt + unitId = continuing from the salt's state — no
 * string concatenation per request).
 */
export function compileAssignment(config: AssignmentConfig): CompiledAssignment {
  const valid = parseAssignmentConfig(config);
  const ranges = bucketRanges(
    valid.variants.map((v) => v.weight),
    valid.trafficShare,
  );
  const keys = valid.variants.map((v) => v.key);
  const starts = Float64Array.from(ranges, (r) => r[0]);
  const ends = Float64Array.from(ranges, (r) => r[1]);
  const count = keys.length;
  const saltState = fnv1aUpdate(FNV_OFFSET_BASIS, valid.salt);

  const bucketOf = (unitId: string): number =>
    (fnv1a32OfDecimal(fnv1aUpdate(saltState, unitId) >>> 0) % BUCKETS) / BUCKETS;

  const variantAt = (bucket: number): string | null => {
    for (let i = 0; i < count; i++) if (bucket >= starts[i] && bucket < ends[i]) return keys[i];
    return null;
  };

  return {
    config: valid,
    ranges,
    bucketOf,
    assign(unitId, random = Math.random) {
      if (unitId) {
        const bucket = bucketOf(unitId);
        return { variantKey: variantAt(bucket), bucket, sticky: true };
      }
      const bucket = random();
      return { variantKey: variantAt(bucket), bucket, sticky: false };
    },
  };
}

/** Compiled configs recently used by `assign()`, keyed by their content; bounded, oldest evicted first. */
const recentlyCompiled = new Map<string, CompiledAssignment>();
const RECENTLY_COMPILED_LIMIT = 256;

function compiledFor(config: AssignmentConfig): CompiledAssignment {
  const key = JSON.stringify([config.salt, config.trafficShare, config.variants.map((v) => [v.key, v.weight])]);
  let compiled = recentlyCompiled.get(key);
  if (!compiled) {
    compiled = compileAssignment(config);
    if (recentlyCompiled.size >= RECENTLY_COMPILED_LIMIT) {
      recentlyCompiled.delete(recentlyCompiled.keys().next().value as string);
    }
    recentlyCompiled.set(key, compiled);
  }
  return compiled;
}

/**
 * One-shot assignment. Same result as `compileAssignment(config).assign(...)`;
 * the compiled form of recently seen configs is reused (keyed by content, so
 * an edited config is validated and compiled afresh), which keeps this path
 * usable per request, but a caller that holds the experiment should hold
 * its compiled form too.
 */
export function assign(input: AssignmentConfig & { unitId?: string | null; random?: RandomSource }): Assignment {
  const { unitId, random, ...config } = input;
  return compiledFor(config).assign(unitId, random);
}
