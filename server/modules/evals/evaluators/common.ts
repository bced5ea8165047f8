// What every evaluator implementation shares: its raw answer, and how a sample's texts are read.
import type { EvalSample, EvaluatorSpec, ScoreDeps } from "../types";

/** An evaluator's own verdict, before the version's threshold and negation are applied. */
export interface RawScore {
  /** 0..1 */
  score: number;
  reason: string;
  /** Set by evaluators that decide pass/fail themselves (an HTTP evaluator's answer); else the threshold decides. */
  passed?: boolean;
  costUsd?: number;
  /** No verdict (a failed judge or HTTP call): score 0, not passed, whatever the threshold or negation. */
  failed?: boolean;
}

export interface EvaluatorContext {
  deps: ScoreDeps;
  spec: EvaluatorSpec;
}

/** A case that cannot be scored by this evaluator (no expected output, ...): score 0 with this as the reason. */
export class EvaluatorInputError extends Error {}

/** The expected output as text: strings as they are, anything else as JSON. */
export function expectedText(sample: EvalSample): string {
  const expected = sample.expected;
  if (expected === undefined || expected === null)
    throw new EvaluatorInputError("the case has no expected output to compare with");
  return typeof expected === "string" ? expected : JSON.stringify(expected);
}

/** The case's input as one text (a judge's {{ input }}): the messages as `role: content` lines, or the variables. */
export function inputText(sample: EvalSample): string {
  const { messages, variables } = sample.input;
  if (messages?.length)
    return messages
      .map((m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`)
      .join("\n");
  if (variables && Object.keys(variables).length) return JSON.stringify(variables);
  return "";
}

/** Text to compare: the configured value or the expected output, normalised as the config says. */
export function comparedTexts(
  config: { value?: string; useExpected: boolean; caseInsensitive?: boolean; trim?: boolean },
  sample: EvalSample,
): { output: string; target: string } {
  let output = sample.output;
  let target = config.useExpected ? expectedText(sample) : (config.value ?? "");
  if (config.trim) {
    output = output.trim();
    target = target.trim();
  }
  if (config.caseInsensitive) {
    output = output.toLowerCase();
    target = target.toLowerCase();
  }
  return { output, target };
}

/** A value quoted for a reason: at most 80 characters. */
export function quote(text: string): string {
  const json = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
  return json;
}

export const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
