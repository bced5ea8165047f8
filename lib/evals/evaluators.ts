/**
 * Evaluator types and their config schemas (browser-safe: the console's form validates live with these, the
 * server parses with them before anything is stored). The rules are in server/modules/evals/README.md
 * ("Evaluators"). Checks that need the server (a JSON Schema compiling, a judge's rubric parsing, an HTTP
 * evaluator's address) run there too, with the same field paths.
 */
import { z } from "zod";
import { userPatternProblem } from "@/lib/regex";
import { parseJsonPath } from "./json-path";

export const EVALUATOR_TYPES = [
  "exact",
  "contains",
  "starts_with",
  "regex",
  "json_valid",
  "json_schema",
  "json_path",
  "numeric",
  "levenshtein",
  "rouge_l",
  "embedding_similarity",
  "llm_judge",
  "http",
] as const;
export type EvaluatorType = (typeof EVALUATOR_TYPES)[number];

export const EVALUATOR_TYPE_LABELS: Record<EvaluatorType, { title: string; description: string }> = {
  exact: { title: "Exact match", description: "The output equals a value or the case's expected output." },
  contains: { title: "Contains", description: "The output contains a value or the expected output." },
  starts_with: { title: "Starts with", description: "The output starts with a value or the expected output." },
  regex: { title: "Regular expression", description: "The output matches a pattern (RE2: linear time)." },
  json_valid: { title: "Valid JSON", description: "The output parses as JSON." },
  json_schema: { title: "JSON Schema", description: "The output is JSON valid against a schema (draft 2020-12 / 07)." },
  json_path: {
    title: "JSON path equals",
    description: "A value inside the JSON output equals a value or the expected.",
  },
  numeric: { title: "Numeric tolerance", description: "The number in the output is within a tolerance." },
  levenshtein: { title: "Levenshtein similarity", description: "1 - edit distance / length (0..1)." },
  rouge_l: { title: "ROUGE-L", description: "Longest-common-subsequence F-measure over words (0..1)." },
  embedding_similarity: {
    title: "Embedding similarity",
    description: "Cosine similarity of output and expected, with any registered embedding model.",
  },
  llm_judge: { title: "LLM judge", description: "A registered model grades the output with a rubric." },
  http: { title: "HTTP (custom)", description: "Your service scores the output (signed POST)." },
};

/** The score at or above which an evaluator passes, unless its version sets one. */
export const DEFAULT_THRESHOLDS: Record<EvaluatorType, number> = {
  exact: 1,
  contains: 1,
  starts_with: 1,
  regex: 1,
  json_valid: 1,
  json_schema: 1,
  json_path: 1,
  numeric: 1,
  levenshtein: 0.5,
  rouge_l: 0.5,
  embedding_similarity: 0.8,
  llm_judge: 0.5,
  http: 0.5,
};

/** Text compared by the similarity evaluators is cut here (Levenshtein and ROUGE-L are quadratic): see the README. */
export const MAX_SIMILARITY_CHARS = 2_000;
export const MAX_ROUGE_TOKENS = 2_000;

const MAX_TEXT = 100_000;

/** What the output is compared with: a fixed value, or the case's expected output. */
const againstText = {
  value: z.string().max(MAX_TEXT).optional(),
  useExpected: z.boolean().default(false),
};
const textOptions = {
  caseInsensitive: z.boolean().default(false),
  trim: z.boolean().default(true),
};

function needsTarget(c: { value?: unknown; useExpected: boolean }, ctx: z.RefinementCtx) {
  if (c.useExpected && c.value !== undefined)
    ctx.addIssue({ code: "custom", path: ["value"], message: "Give a value or use the expected output, not both" });
  if (!c.useExpected && c.value === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["value"],
      message: "Give a value to compare with, or turn on useExpected (the case's expected output)",
    });
}

const textMatch = z
  .object({ ...againstText, ...textOptions })
  .strict()
  .superRefine(needsTarget);

const regexConfig = z
  .object({
    pattern: z.string().min(1, "A pattern is required").max(1000),
    flags: z
      .string()
      .regex(/^[imsu]*$/, "Only the flags i, m, s and u are allowed")
      .default(""),
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = /^[imsu]*$/.test(c.flags) ? userPatternProblem(c.pattern, c.flags) : null;
    if (problem) ctx.addIssue({ code: "custom", path: ["pattern"], message: problem });
  });

const jsonSchemaConfig = z
  .object({
    schema: z.union([z.record(z.string(), z.unknown()), z.boolean()], {
      error: "The schema is a JSON Schema object (or true/false)",
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (JSON.stringify(c.schema).length > 100_000)
      ctx.addIssue({ code: "custom", path: ["schema"], message: "A schema has at most 100,000 characters of JSON" });
  });

const jsonPathConfig = z
  .object({
    path: z.string().min(1, "A path is required"),
    /** Any JSON value; compared as JSON (a string expected output that parses as JSON is compared as that JSON). */
    value: z.unknown().optional(),
    useExpected: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    try {
      parseJsonPath(c.path);
    } catch (error) {
      ctx.addIssue({ code: "custom", path: ["path"], message: (error as Error).message });
    }
    needsTarget(c, ctx);
  });

const numericConfig = z
  .object({
    value: z.number().finite().optional(),
    useExpected: z.boolean().default(false),
    tolerance: z.number().min(0, "The tolerance is 0 or more").default(0),
    mode: z.enum(["absolute", "relative"]).default("absolute"),
  })
  .strict()
  .superRefine(needsTarget);

const similarityConfig = textMatch;

const modelRef = z.string().trim().min(1, "Name a registered model (name, name@alias or name@3)").max(200);

const embeddingConfig = z
  .object({ model: modelRef, ...againstText })
  .strict()
  .superRefine(needsTarget);

const judgeConfig = z
  .object({
    model: modelRef,
    /** A Jinja template: {{ input }}, {{ output }}, {{ expected }} (rendered with the prompt renderer's limits). */
    rubric: z.string().trim().min(1, "A rubric is required").max(20_000),
    /** Replaces the default instructions (which ask for a final `Answer: <choice>` line). */
    system: z.string().max(20_000).optional(),
    /** Each answer the judge may give and its score, e.g. {"A": 1, "B": 0.5, "C": 0}. */
    choices: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "A choice is a short word (letters, digits, '_' or '-')"),
        z.number().min(0, "A choice's score is 0..1").max(1, "A choice's score is 0..1"),
      )
      .refine((c) => Object.keys(c).length >= 2, "Give at least two choices")
      .refine((c) => Object.keys(c).length <= 20, "At most 20 choices"),
    /** Calls per case; the majority choice wins (ties: the lower score). */
    samples: z.number().int().min(1).max(9).default(1),
    maxTokens: z.number().int().min(1).max(4096).default(512),
  })
  .strict()
  .superRefine((c, ctx) => {
    const lower = Object.keys(c.choices).map((k) => k.toLowerCase());
    if (new Set(lower).size !== lower.length)
      ctx.addIssue({ code: "custom", path: ["choices"], message: "Choices must differ in more than letter case" });
  });

const httpConfig = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "An absolute http(s) URL" }).max(2000),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  })
  .strict();

export const EVALUATOR_CONFIG_SCHEMAS = {
  exact: textMatch,
  contains: textMatch,
  starts_with: textMatch,
  regex: regexConfig,
  json_valid: z.object({}).strict(),
  json_schema: jsonSchemaConfig,
  json_path: jsonPathConfig,
  numeric: numericConfig,
  levenshtein: similarityConfig,
  rouge_l: similarityConfig,
  embedding_similarity: embeddingConfig,
  llm_judge: judgeConfig,
  http: httpConfig,
} as const satisfies Record<EvaluatorType, z.ZodType>;

export type EvaluatorConfig<T extends EvaluatorType> = z.output<(typeof EVALUATOR_CONFIG_SCHEMAS)[T]>;

/** What the console's type picker starts each type with. */
export const EXAMPLE_CONFIGS: Record<EvaluatorType, Record<string, unknown>> = {
  exact: { useExpected: true },
  contains: { value: "" },
  starts_with: { useExpected: true },
  regex: { pattern: "^\\d+$", flags: "" },
  json_valid: {},
  json_schema: { schema: { type: "object", required: ["answer"] } },
  json_path: { path: "$.answer", useExpected: true },
  numeric: { useExpected: true, tolerance: 0.01, mode: "relative" },
  levenshtein: { useExpected: true },
  rouge_l: { useExpected: true },
  embedding_similarity: { model: "", useExpected: true },
  llm_judge: {
    model: "",
    rubric:
      "Question: {{ input }}\nReference answer: {{ expected }}\nAnswer to grade: {{ output }}\n\nIs the answer correct? A: correct, B: partly correct, C: wrong.",
    choices: { A: 1, B: 0.5, C: 0 },
    samples: 1,
  },
  http: { url: "https://", timeoutMs: 10_000 },
};

const threshold = z.number().min(0, "A threshold is 0..1").max(1, "A threshold is 0..1").nullable().default(null);

/** One evaluator version's content: type, config, threshold (null: the type's default), negate. */
export const evaluatorDefinitionShape = {
  type: z.enum(EVALUATOR_TYPES, { error: `The type is one of: ${EVALUATOR_TYPES.join(", ")}` }),
  config: z.record(z.string(), z.unknown()).default({}),
  threshold,
  negate: z.boolean().default(false),
};

/** Checks `config` against its type's schema, each issue under `config.<field>` (use in superRefine). */
export function refineDefinition(d: { type: EvaluatorType; config: unknown }, ctx: z.RefinementCtx) {
  const parsed = EVALUATOR_CONFIG_SCHEMAS[d.type].safeParse(d.config);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", path: ["config", ...issue.path], message: issue.message });
}

/** The config with its defaults filled in (call after `refineDefinition` accepted it). */
export function configWithDefaults(type: EvaluatorType, config: unknown): Record<string, unknown> {
  return EVALUATOR_CONFIG_SCHEMAS[type].parse(config) as Record<string, unknown>;
}

export const evaluatorName = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "Use letters, digits, '.', '_', '-' and '/'");

/** A sample to try an evaluator on (the console's "Try it" box, REST). */
export const trySampleSchema = z.object({
  input: z.string().max(100_000).default(""),
  output: z.string().max(100_000),
  /** The expected output; a string (JSON is parsed where the evaluator compares JSON). */
  expected: z.string().max(100_000).optional(),
});
