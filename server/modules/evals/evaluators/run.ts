// One evaluator version applied to one sample: the type's verdict, then the version's threshold and negation.
import {
  configWithDefaults,
  DEFAULT_THRESHOLDS,
  EVALUATOR_TYPES,
  type EvaluatorConfig,
  type EvaluatorType,
} from "@/lib/evals/evaluators";
import type { EvalSample, EvaluatorScore, EvaluatorSpec, ScoreDeps } from "../types";
import { clamp01, type EvaluatorContext, type RawScore } from "./common";
import { httpEvaluator } from "./http";
import { jsonPath, jsonSchema, jsonValid } from "./json";
import { embeddingSimilarity, llmJudge } from "./model-based";
import { contains, exact, levenshtein, numeric, regex, rougeL, startsWith } from "./text";

type Runner = (ctx: EvaluatorContext, config: never, sample: EvalSample) => RawScore | Promise<RawScore>;

const sync =
  <T extends EvaluatorType>(fn: (config: EvaluatorConfig<T>, sample: EvalSample) => RawScore): Runner =>
  (_ctx, config, sample) =>
    fn(config, sample);

const RUNNERS: Record<EvaluatorType, Runner> = {
  exact: sync<"exact">(exact),
  contains: sync<"contains">(contains),
  starts_with: sync<"starts_with">(startsWith),
  regex: sync<"regex">(regex),
  json_valid: sync<"json_valid">(jsonValid),
  json_schema: sync<"json_schema">(jsonSchema),
  json_path: sync<"json_path">(jsonPath),
  numeric: sync<"numeric">(numeric),
  levenshtein: sync<"levenshtein">(levenshtein),
  rouge_l: sync<"rouge_l">(rougeL),
  embedding_similarity: embeddingSimilarity as Runner,
  llm_judge: llmJudge as Runner,
  http: httpEvaluator as Runner,
};

const isType = (type: string): type is EvaluatorType => (EVALUATOR_TYPES as readonly string[]).includes(type);

// Configs parsed once per spec object (a run scores thousands of cases with the same specs).
const parsedConfigs = new WeakMap<EvaluatorSpec, Record<string, unknown>>();

function configOf(spec: EvaluatorSpec & { type: EvaluatorType }): Record<string, unknown> {
  let config = parsedConfigs.get(spec);
  if (!config) {
    config = configWithDefaults(spec.type, spec.config);
    parsedConfigs.set(spec, config);
  }
  return config;
}

/** Applies threshold and negation to a verdict: negation flips the score (1 - score) and pass/fail. */
export function finalize(spec: EvaluatorSpec, raw: RawScore): Pick<EvaluatorScore, "score" | "passed" | "reason"> {
  if (raw.failed) return { score: 0, passed: false, reason: raw.reason };
  const threshold = spec.threshold ?? (isType(spec.type) ? DEFAULT_THRESHOLDS[spec.type] : 1);
  const score = clamp01(raw.score);
  const passed = raw.passed ?? score >= threshold;
  if (!spec.negate) return { score, passed, reason: raw.reason };
  return { score: 1 - score, passed: !passed, reason: `negated: ${raw.reason}` };
}

/**
 * Scores `sample` with one evaluator. Never throws: an evaluator that fails (a bad stored config, a case without
 * an expected output, a judge that cannot be rendered) scores 0, not passed, with the error as the reason.
 */
export async function runEvaluator(deps: ScoreDeps, spec: EvaluatorSpec, sample: EvalSample): Promise<EvaluatorScore> {
  const base = {
    evaluatorVersionId: spec.evaluatorVersionId,
    name: spec.name,
    version: spec.version,
    type: spec.type,
    weight: spec.weight,
  };
  try {
    if (!isType(spec.type)) throw new Error(`unknown evaluator type '${spec.type}'`);
    const raw = await RUNNERS[spec.type](
      { deps, spec },
      configOf(spec as EvaluatorSpec & { type: EvaluatorType }) as never,
      sample,
    );
    return { ...base, ...finalize(spec, raw), costUsd: raw.costUsd ?? 0 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, score: 0, passed: false, reason: `error: ${message}`, costUsd: 0 };
  }
}
