/** The input half of the pipeline: normalize → ground → guard → count tokens, on the engine's input. */

import type { PipelineConfig } from "@/lib/routes/config";
import type { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { GuardrailRecord } from "./actions";
import { scoreInjection } from "./injection";
import { addContext, normalizeInput, trimHistory } from "./normalize";
import { type Finding, TextGuards } from "./text-guards";

export interface InputPlan {
  normalize?: NonNullable<PipelineConfig["normalize"]>;
  grounding?: NonNullable<PipelineConfig["grounding"]>;
  guards: TextGuards | null;
  injection?: NonNullable<NonNullable<PipelineConfig["input"]>["injection"]>;
  maxInputTokens?: number;
}

export interface InputOutcome {
  input: GenerationInput;
  /** Every action taken, in the order taken (a block is the last). */
  actions: GuardrailRecord[];
  /** Set when a guard refused the request: the 400's message (names the guard and rule, never the matched text). */
  blocked: string | null;
}

/** Null when the config has no input step at all (nothing to do per request). */
export function planInput(config: PipelineConfig): InputPlan | null {
  const guards = config.input ? new TextGuards(config.input) : null;
  const plan: InputPlan = {
    normalize: config.normalize,
    grounding: config.grounding,
    guards: guards && !guards.empty ? guards : null,
    injection: config.input?.injection,
    maxInputTokens: config.input?.maxInputTokens,
  };
  const any = plan.normalize || plan.grounding || plan.guards || plan.injection || plan.maxInputTokens;
  return any ? plan : null;
}

const texts = (input: GenerationInput) => ("prompt" in input ? [input.prompt] : input.messages.map((m) => m.content));

/**
 * Runs the input steps. The guards see the caller's text after normalizing
 * and history trimming, but not the route's own grounding context (an
 * operator's context must not trip the operator's blocklist); the token limit
 * counts everything that will be sent, context included.
 */
export function runInput(plan: InputPlan, original: GenerationInput, placeholders: PiiPlaceholders): InputOutcome {
  const actions: GuardrailRecord[] = [];
  const done = (input: GenerationInput, blocked: string | null = null): InputOutcome => ({ input, actions, blocked });
  let input = plan.normalize ? normalizeInput(original, plan.normalize) : original;
  if (plan.grounding) input = trimHistory(input, plan.grounding);

  if (plan.guards) {
    const guarded = guardTexts(plan.guards, texts(input), placeholders, actions);
    if (guarded.blocked) return done(input, guarded.blocked);
    input =
      "prompt" in input
        ? { prompt: guarded.texts[0] }
        : { messages: input.messages.map((m, i) => ({ ...m, content: guarded.texts[i] })) };
  }

  if (plan.injection) {
    const { score, matched } = scoreInjection(texts(input));
    if (score >= plan.injection.threshold && matched.length > 0) {
      actions.push({ stage: "input", rule: "injection", action: plan.injection.action, score, matched });
      if (plan.injection.action === "block")
        return done(
          input,
          `Blocked by the input guardrail 'injection': prompt-injection score ${score} reached the route's threshold ${plan.injection.threshold} (${matched.join(", ")})`,
        );
    }
  }

  if (plan.grounding) input = addContext(input, plan.grounding);

  if (plan.maxInputTokens !== undefined) {
    const tokens =
      "prompt" in input ? roughTokenCount(input.prompt) : countExampleTokens(input.messages, roughTokenCount);
    if (tokens > plan.maxInputTokens) {
      actions.push({ stage: "input", rule: "max_input_tokens", action: "block", count: tokens });
      return done(
        input,
        `Blocked by the input guardrail 'max_input_tokens': the input is about ${tokens} tokens, the route allows ${plan.maxInputTokens}`,
      );
    }
  }
  return done(input);
}

/**
 * Applies the text guards to each text: masks replace (PII with numbered
 * placeholders shared by all texts), flags only count, the first block stops.
 */
function guardTexts(
  guards: TextGuards,
  inputs: string[],
  placeholders: PiiPlaceholders,
  actions: GuardrailRecord[],
): { texts: string[]; blocked: string | null } {
  const counts = new Map<Finding["guard"], GuardrailRecord>();
  const count = (f: Finding) => {
    let entry = counts.get(f.guard);
    if (!entry) {
      entry = { stage: "input", rule: f.guard.rule, action: f.guard.action, count: 0 };
      counts.set(f.guard, entry);
    }
    entry.count = (entry.count ?? 0) + 1;
    if (f.pii) {
      entry.kinds ??= {};
      entry.kinds[f.pii.kind] = (entry.kinds[f.pii.kind] ?? 0) + 1;
    }
  };
  const out: string[] = [];
  for (const text of inputs) {
    const findings = guards.scan(text);
    const block = findings.find((f) => f.guard.action === "block");
    if (block) {
      count(block);
      actions.push(...counts.values());
      return {
        texts: inputs,
        blocked: `Blocked by the input guardrail '${block.guard.rule}': ${block.guard.describe(block)}`,
      };
    }
    let result = "";
    let at = 0;
    for (const f of findings) {
      count(f);
      if (f.guard.action !== "mask") continue;
      result += text.slice(at, f.start) + (f.pii ? placeholders.for(f.pii) : f.guard.replacement);
      at = f.end;
    }
    out.push(result + text.slice(at));
  }
  actions.push(...counts.values());
  return { texts: out, blocked: null };
}
