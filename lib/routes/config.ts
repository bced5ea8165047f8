/**
 * A gateway route's configuration: what the client's `model` is served by
 * (deployments, strategy, retries, fallbacks, timeouts) and the pipeline every
 * request on it goes through (normalize, ground, input guardrails, cache,
 * provider, output guardrails, postprocess). Stored as data (YAML or JSON),
 * validated by this schema, versioned immutably. No server-only imports:
 * the console's editor validates with the same schema.
 */
import { z } from "zod";
import { guardPatternProblem } from "@/lib/regex";

/** A registry reference as the gateway accepts it: `name`, `name@alias`, `name@3`, `name:3`. */
const modelRef = z
  .string()
  .trim()
  .min(1, "Name a registry model (name, name@alias or name@3)")
  .max(300)
  .regex(/^[^:@\s]+(?:@[^:@\s]+|:\d+)?$/, "Use name, name@alias, name@3 or name:3");

const deployment = z
  .object({
    model: modelRef,
    /** Relative share for the `weighted` strategy. */
    weight: z.number().int().min(0).max(1000).default(1),
  })
  .strict();

const routingStrategy = z.enum(["weighted", "least-outstanding", "lowest-latency"]);
export type RoutingStrategy = z.infer<typeof routingStrategy>;

const retryPolicy = z
  .object({
    /** Tries per deployment after the first (0 = no retry). */
    attempts: z.number().int().min(0).max(5).default(1),
    /** First backoff; doubles each retry, with jitter, up to maxBackoffMs. */
    backoffMs: z.number().int().min(0).max(10_000).default(100),
    maxBackoffMs: z.number().int().min(0).max(60_000).default(2_000),
  })
  .strict()
  .refine((r) => r.maxBackoffMs >= r.backoffMs, {
    message: "maxBackoffMs must be at least backoffMs",
    path: ["maxBackoffMs"],
  });

const cooldownPolicy = z
  .object({
    /** Consecutive failures that put a deployment in cooldown. */
    failures: z.number().int().min(1).max(100).default(3),
    /** Seconds it is skipped (unless nothing else is left). */
    seconds: z.number().min(1).max(3600).default(30),
  })
  .strict();

const action = z.enum(["block", "mask", "flag"]);

const blocklistGuard = z
  .object({
    words: z.array(z.string().trim().min(1).max(200)).min(1).max(1000),
    /** block: refuse the request (400) / stop the output; mask: replace with ***; flag: log only. */
    action: action.default("block"),
    caseSensitive: z.boolean().default(false),
  })
  .strict();

const regexGuard = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.:-]+$/, "Use letters, digits, _ . : - (the name appears in logs and headers)"),
    pattern: z.string().min(1).max(1000),
    flags: z
      .string()
      .regex(/^[imsu]*$/, "Flags may be i, m, s, u")
      .default("i"),
    action: action.default("block"),
    replacement: z.string().max(200).default("[REDACTED]"),
  })
  .strict()
  .superRefine((guard, ctx) => {
    if (!/^[imsu]*$/.test(guard.flags)) return; // reported on `flags`
    const problem = guardPatternProblem(guard.pattern, guard.flags);
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
  });

const piiGuard = z
  .object({
    action: action.default("mask"),
    /** Kinds as the dataset masker names them; absent = all. */
    kinds: z.array(z.enum(["SECRET", "EMAIL", "IBAN", "CARD", "SSN", "NATIONAL_ID", "IP", "PHONE"])).optional(),
  })
  .strict();

const injectionGuard = z
  .object({
    action: z.enum(["block", "flag"]).default("block"),
    /** 0..1: heuristic score at which the guard fires. */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();

const guards = {
  blocklist: blocklistGuard.optional(),
  regex: z
    .array(regexGuard)
    .max(50)
    .refine((list) => new Set(list.map((g) => g.name)).size === list.length, "Regex guard names must be unique")
    .optional(),
  pii: piiGuard.optional(),
};

export const pipelineConfig = z
  .object({
    normalize: z
      .object({
        /** Trim each message and collapse runs of blank lines. */
        trimWhitespace: z.boolean().default(true),
        /** Merge several system messages into one, first. */
        mergeSystemMessages: z.boolean().default(false),
        /** Unicode NFC. */
        unicodeNfc: z.boolean().default(true),
      })
      .strict()
      .optional(),
    grounding: z
      .object({
        /** Prepended as (or to) the system message. */
        systemContext: z.string().max(20_000).optional(),
        /** Keep only the last N caller messages (system messages always kept): history the caller carries. */
        maxHistoryMessages: z.number().int().min(1).max(1000).optional(),
      })
      .strict()
      .optional(),
    input: z
      .object({
        ...guards,
        injection: injectionGuard.optional(),
        /** Refuse (400) prompts above this many tokens (rough count, or the model's tokenizer). */
        maxInputTokens: z.number().int().min(1).max(10_000_000).optional(),
      })
      .strict()
      .optional(),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        ttlSeconds: z.number().int().min(1).max(86_400).optional(),
        /** Cache sampled requests too (as `x-switchyard-cache: on` does per request). */
        sampled: z.boolean().default(false),
      })
      .strict()
      .optional(),
    output: z
      .object({
        ...guards,
        /**
         * Streams: characters held back for the regex and PII guards, so a match split across chunks is
         * still caught (blocklist words hold back only a possible prefix; PII also a whole unbroken run).
         * A longer match that starts before the window is masked or cut from where the window begins.
         */
        holdbackChars: z.number().int().min(0).max(4096).default(64),
      })
      .strict()
      .optional(),
    postprocess: z
      .object({
        trimWhitespace: z.boolean().default(false),
        /** Cut the answer at this many characters. */
        maxChars: z.number().int().min(1).max(10_000_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type PipelineConfig = z.infer<typeof pipelineConfig>;

export const routeConfig = z
  .object({
    /** Absent or empty: the requested model itself (its pipeline still applies). */
    deployments: z.array(deployment).max(20).default([]),
    strategy: routingStrategy.default("weighted"),
    retries: retryPolicy.default({ attempts: 1, backoffMs: 100, maxBackoffMs: 2_000 }),
    /** Per attempt: a stream's first token, then the idle time between tokens; a non-streamed answer whole. */
    timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    /** Tried in order once every deployment failed. */
    fallbacks: z.array(modelRef).max(10).default([]),
    cooldown: cooldownPolicy.default({ failures: 3, seconds: 30 }),
    pipeline: pipelineConfig.default({}),
  })
  .strict();
export type RouteConfig = z.infer<typeof routeConfig>;
