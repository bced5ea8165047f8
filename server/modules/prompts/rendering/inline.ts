/**
 * The gateway's fast path: a stored prompt proven bounded (./../template/bounded.ts: no loops, calls or `set`,
 * only filters that do not multiply) renders on the main thread when its worst-case output, given the request's
 * variables, is within the output cap: a worker round trip would cost it more than the render (bench/README.md,
 * "Prompt rendering"). Everything else goes to the pool.
 */
import { outputBound, type TemplateBound, templateBound } from "@/server/modules/prompts/template/bounded";
import { compilePrompt } from "@/server/modules/prompts/template/compile";
import { renderPrompt } from "@/server/modules/prompts/template/render";
import type { RenderLimits } from "./limits";
import type { RenderTask, TaskValue } from "./task";

/** Templates (with their includes) larger than this are never judged here: judging parses them. */
const MAX_INLINE_TEMPLATE_CHARS = 20_000;
const MAX_VERDICTS = 1000;

/** Per exact content (project, name@version, each include's exact version): versions are immutable. */
const verdicts = new Map<string, TemplateBound | null>();

const templateChars = (template: RenderTask["template"]) =>
  typeof template === "string" ? template.length : template.reduce((n, m) => n + m.content.length, 0);

function boundOf(projectId: string, task: RenderTask & { rootKey: string }): TemplateBound | null {
  const snippets = Object.entries(task.includes).sort(([a], [b]) => (a < b ? -1 : 1));
  const key = [projectId, task.rootKey, ...snippets.map(([ref, s]) => `${ref}=${s?.key ?? ""}`)].join("\u0000");
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  const size = templateChars(task.template) + snippets.reduce((n, [, s]) => n + (s?.template.length ?? 0), 0);
  const options = { resolveInclude: task.includes, rootKey: task.rootKey };
  const verdict = size <= MAX_INLINE_TEMPLATE_CHARS ? templateBound(compilePrompt(task.template, options)) : null;
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(key, verdict);
  return verdict;
}

/** The render, done here, when the task is a stored prompt proven cheap for these variables; else null. */
export function renderInline(
  projectId: string,
  task: RenderTask,
  variables: { chars: number; items: number },
  limits: RenderLimits,
): TaskValue | null {
  if (task.kind !== "render" || !task.rootKey) return null;
  const bound = boundOf(projectId, { ...task, rootKey: task.rootKey });
  if (!bound || outputBound(bound, variables) > limits.maxOutputChars) return null;
  const options = { resolveInclude: task.includes, rootKey: task.rootKey, maxOutputChars: limits.maxOutputChars };
  return { kind: "render", rendered: renderPrompt(task.template, task.variables, options) };
}
