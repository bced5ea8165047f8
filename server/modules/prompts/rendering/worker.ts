/**
 * A render worker's entry (bundled on first use by ./worker-file.ts, run by Piscina): the template core,
 * off the main thread. Template problems and limits come back as data; anything else is a bug and throws.
 */
import { toDomainError } from "@/server/errors";
import { inspectPrompt, renderPrompt, validatePrompt } from "@/server/modules/prompts/template";
import type { DetectedVariableOut, ProblemOut, RenderTask, TaskResult, TaskValue } from "./task";

const asProblem = (error: unknown): ProblemOut | null => {
  const domain = toDomainError(error);
  return domain ? { code: domain.code, message: domain.message, issues: domain.issues } : null;
};

const detected = (task: RenderTask) =>
  inspectPrompt(task.template, { resolveInclude: task.includes, rootKey: task.rootKey }).variables.map((v) => ({
    name: v.name,
    kind: v.kind,
    required: v.required,
  }));

function perform(task: RenderTask): TaskValue {
  const compile = { resolveInclude: task.includes, rootKey: task.rootKey };
  switch (task.kind) {
    case "render": {
      return { kind: "render", rendered: renderPrompt(task.template, task.variables, { ...compile, ...task.limits }) };
    }
    case "analyze":
      // Saving refuses every problem a render would hit regardless of variables (unknown filters too).
      validatePrompt(task.template, compile);
      return { kind: "analyze", variables: detected(task) };
    case "preview": {
      let variables: DetectedVariableOut[] = [];
      try {
        variables = detected(task);
        const rendered = renderPrompt(task.template, task.variables, { ...compile, ...task.limits });
        return { kind: "preview", variables, rendered, problem: null };
      } catch (error) {
        const problem = asProblem(error);
        // A limit is not a template problem the editor shows inline: it refuses the call.
        if (problem?.code !== "VALIDATION") throw error;
        return { kind: "preview", variables, rendered: null, problem };
      }
    }
  }
}

export default function run(task: RenderTask): TaskResult {
  try {
    return { ok: true, value: perform(task) };
  } catch (error) {
    const problem = asProblem(error);
    if (!problem) throw error;
    return { ok: false, error: problem };
  }
}
