// The "New eval run" form's matrix, written out as the targets createEvalRunSchema takes (browser-safe).
import type { CreateEvalRunInput } from "./runs";

type Target = CreateEvalRunInput["targets"][number];

/**
 * Prompt versions x model versions x parameter sets. No model versions: each prompt runs on its own model (its
 * config names it); no prompt versions: each model gets the cases' messages. Neither: no targets.
 */
export function expandMatrix(input: {
  promptVersionIds: string[];
  modelVersionIds: string[];
  paramSets: Record<string, unknown>[];
}): Target[] {
  const prompts = input.promptVersionIds.length ? input.promptVersionIds : [null];
  const models = input.modelVersionIds.length ? input.modelVersionIds : [null];
  const sets = input.paramSets.length ? input.paramSets : [{}];
  const targets: Target[] = [];
  for (const promptVersionId of prompts)
    for (const modelVersionId of models) {
      if (!promptVersionId && !modelVersionId) continue;
      for (const params of sets)
        targets.push({
          ...(promptVersionId ? { promptVersionId } : {}),
          ...(modelVersionId ? { modelVersionId } : {}),
          params,
        });
    }
  return targets;
}

/** One JSON object per line (`{"temperature": 0}`); blank lines skipped. The error names the line. */
export function parseParamSets(text: string): { sets: Record<string, unknown>[]; error: string | null } {
  const sets: Record<string, unknown>[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { sets, error: `Line ${i + 1} is not JSON: write one object per line, e.g. {"temperature": 0}` };
    }
    if (!value || typeof value !== "object" || Array.isArray(value))
      return { sets, error: `Line ${i + 1} is not an object: write one object per line, e.g. {"temperature": 0}` };
    sets.push(value as Record<string, unknown>);
  }
  return { sets, error: null };
}
