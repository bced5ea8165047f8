// Eval cases from a dataset version, and the gateway request each target makes for a case. Pure, except the
// prompt rendering a target that pairs a prompt version with another model needs.

import type { Db } from "@/server/db";
import type { DatasetExample } from "@/server/modules/datasets/core";
import type { ChatMessage, EvalSample } from "@/server/modules/evals/types";
import { renderStoredPrompt } from "@/server/modules/prompts/templating";
import { rowVariables } from "@/server/modules/schedules/actions/prompt-over-dataset-lines";

export interface EvalCase {
  /** Position in the dataset version (0-based): eval_results.case_index. */
  index: number;
  input: { messages: ChatMessage[]; variables: Record<string, unknown> };
  /** The final assistant message's content, when the example ends with one. */
  expected: unknown;
  metadata: Record<string, unknown> | undefined;
}

/**
 * A dataset example as an eval case: the input is the conversation before a final assistant message, which is
 * the expected answer; the variables are what a schedule's prompt-over-dataset run gives a prompt (`input` = the
 * last user message, plus `metadata.variables`), so one dataset serves both.
 */
export function exampleCase(index: number, example: DatasetExample): EvalCase {
  const messages = example.messages as ChatMessage[];
  const last = messages.at(-1);
  const endsWithAnswer = last?.role === "assistant";
  return {
    index,
    input: { messages: endsWithAnswer ? messages.slice(0, -1) : messages, variables: rowVariables(example) },
    expected: endsWithAnswer ? last.content : undefined,
    metadata: example.metadata,
  };
}

export function sampleOf(c: EvalCase, output: string): EvalSample {
  return {
    input: c.input,
    output,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(c.metadata ? { metadata: c.metadata } : {}),
  };
}

/** What a stored target asks the gateway for (eval_targets + the names resolved when the run was created). */
export interface TargetPlan {
  id: string;
  /** `prompt:NAME@V` (the prompt's own model), a model reference, or null when `render` applies. */
  model: string;
  params: Record<string, unknown>;
  /** A prompt version served by another model: rendered here, its messages sent to `model`. */
  render: { name: string; version: number } | null;
}

/**
 * The chat request for a case. A prompt target gets the case's variables and no messages (the prompt's template
 * holds the conversation; the case's messages would repeat its input); a model target gets the case's messages.
 */
export async function requestBody(
  deps: { db: Db; projectId: string },
  target: TargetPlan,
  c: EvalCase,
): Promise<Record<string, unknown>> {
  if (target.model.startsWith("prompt:"))
    return { ...target.params, model: target.model, messages: [], variables: c.input.variables };
  if (target.render) {
    const rendered = await renderStoredPrompt(
      { db: deps.db, caller: { projectId: deps.projectId } },
      { name: target.render.name, version: target.render.version, variables: c.input.variables },
    );
    const messages = rendered.messages ?? [{ role: "user", content: rendered.text ?? "" }];
    return { ...target.params, model: target.model, messages };
  }
  return { ...target.params, model: target.model, messages: c.input.messages };
}
