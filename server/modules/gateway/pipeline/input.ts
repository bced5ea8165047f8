/** The input half of the pipeline: normalize → ground → guard → count tokens, on the engine's input. */

import type { PipelineConfig } from "@/lib/routes/config";
import type { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { countDefinitionTokens, countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { GuardrailRecord } from "./actions";
import { type Guarded, guardJson, guardText } from "./guard-text";
import { scoreInjection } from "./injection";
import { EXTRAS, type MessageExtras, type WithExtras } from "./message-extras";
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
 * and history trimming — each text part, tool result and tool call's
 * arguments (`message-extras.ts`) — but not the route's own grounding context
 * (an operator's context must not trip the operator's blocklist); the token
 * limit counts everything that will be sent: context, tool calls' arguments
 * and `definitions` (the request's tools and functions, serialized) included.
 */
export function runInput(
  plan: InputPlan,
  original: GenerationInput,
  placeholders: PiiPlaceholders,
  definitions?: unknown[],
): InputOutcome {
  const actions: GuardrailRecord[] = [];
  const done = (input: GenerationInput, blocked: string | null = null): InputOutcome => ({ input, actions, blocked });
  let input = plan.normalize ? normalizeInput(original, plan.normalize) : original;
  if (plan.grounding) input = trimHistory(input, plan.grounding);

  if (plan.guards) {
    const pass = new InputGuarding(plan.guards, placeholders);
    const guarded =
      "prompt" in input
        ? { prompt: pass.text(input.prompt) }
        : { messages: input.messages.map((m) => pass.message(m)) };
    actions.push(...pass.counts.values());
    if (pass.blocked) return done(input, pass.blocked);
    input = guarded;
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
    const tokens = inputTokens(input, definitions);
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

/** Everything the model will read: messages (OpenAI's overhead), tool calls' arguments, tool definitions. */
function inputTokens(input: GenerationInput, definitions: unknown[] | undefined): number {
  if ("prompt" in input) return roughTokenCount(input.prompt);
  let tokens = countExampleTokens(input.messages, roughTokenCount);
  for (const m of input.messages) {
    const args = (m as WithExtras)[EXTRAS]?.args;
    if (args) for (const a of args) if (a) tokens += roughTokenCount(a);
  }
  if (definitions) tokens += countDefinitionTokens(definitions, roughTokenCount);
  return tokens;
}

type Message = Extract<GenerationInput, { messages: unknown }>["messages"][number];

/**
 * One request's pass of the text guards over its texts: masks replace (PII
 * with placeholders numbered across all of them), flags only count, the
 * first block stops (later texts are left alone).
 */
class InputGuarding {
  readonly counts = new Map<Finding["guard"], GuardrailRecord>();
  blocked: string | null = null;
  private readonly seen = (f: Finding) => {
    let entry = this.counts.get(f.guard);
    if (!entry) {
      entry = { stage: "input", rule: f.guard.rule, action: f.guard.action, count: 0 };
      this.counts.set(f.guard, entry);
    }
    entry.count = (entry.count ?? 0) + 1;
    if (f.pii) {
      entry.kinds ??= {};
      entry.kinds[f.pii.kind] = (entry.kinds[f.pii.kind] ?? 0) + 1;
    }
  };

  constructor(
    private readonly guards: TextGuards,
    private readonly placeholders: PiiPlaceholders,
  ) {}

  text(text: string): string {
    return this.outcome(this.blocked ? null : guardText(this.guards, text, this.placeholders, this.seen), text);
  }

  /** The message with its text (each part on its own, when it has several) and its tool calls' arguments guarded. */
  message(m: Message): Message {
    const extras = (m as WithExtras)[EXTRAS];
    // Parts no step has rewritten (normalizing changes the joined text) are guarded one by one, then joined.
    const parts = extras?.parts && extras.parts.join("") === m.content ? extras.parts.map((p) => this.text(p)) : null;
    const content = parts ? parts.join("") : this.text(m.content);
    const args = extras?.args?.map((a) =>
      a === null ? a : this.outcome(this.blocked ? null : guardJson(this.guards, a, this.placeholders, this.seen), a),
    );
    const copy: Message = Object.assign({}, m, { content });
    if (extras) {
      const guarded: MessageExtras = {};
      if (parts) guarded.parts = parts;
      if (args) guarded.args = args;
      Object.assign(copy, { [EXTRAS]: guarded });
    }
    return copy;
  }

  private outcome(guarded: Guarded | null, original: string): string {
    if (!guarded) return original;
    if (guarded.block) {
      this.blocked = `Blocked by the input guardrail '${guarded.block.guard.rule}': ${guarded.block.guard.describe(guarded.block)}`;
      return original;
    }
    return guarded.text;
  }
}
