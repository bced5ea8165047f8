/**
 * A route's pipeline, compiled once per config object: normalize, ground,
 * input guardrails, cache policy, output guardrails, postprocess. See README.md.
 */
import type { PipelineConfig } from "@/lib/routes/config";
import { type InputPlan, planInput } from "./input";
import { type OutputPlan, planOutput } from "./output";

export { GUARDRAILS_HEADER, guardrailBlocked, guardrailsHeader, recordAction } from "./actions";
export { guardEvents } from "./events";
export { runInput } from "./input";
export { EXTRAS, extrasOf, type WithExtras } from "./message-extras";
export { OutputProcessor } from "./output";
export { ToolCallGuard } from "./tool-calls";

interface CachePolicy {
  enabled: boolean;
  /** Per-entry TTL; absent: the cache's default. */
  ttlMs?: number;
  /** Cache sampled requests too. */
  sampled: boolean;
}

export interface CompiledPipeline {
  input: InputPlan | null;
  cache: CachePolicy | null;
  output: OutputPlan | null;
}

const compiled = new WeakMap<PipelineConfig, CompiledPipeline | null>();

/**
 * The compiled pipeline, or null when the config asks for nothing (the
 * request then takes the plain path). Regexes and blocklists are compiled on
 * first use of a config object and kept as long as it lives.
 */
export function compilePipeline(config: PipelineConfig | undefined | null): CompiledPipeline | null {
  if (!config) return null;
  if (compiled.has(config)) return compiled.get(config) ?? null;
  const pipeline: CompiledPipeline = {
    input: planInput(config),
    cache: config.cache
      ? {
          enabled: config.cache.enabled,
          sampled: config.cache.sampled,
          ...(config.cache.ttlSeconds ? { ttlMs: config.cache.ttlSeconds * 1000 } : {}),
        }
      : null,
    output: planOutput(config),
  };
  const result = pipeline.input || pipeline.cache || pipeline.output ? pipeline : null;
  compiled.set(config, result);
  return result;
}
