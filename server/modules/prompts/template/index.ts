/**
 * Prompt templates: Jinja (via @huggingface/jinja) with positions, strict rendering, variable
 * detection and includes. Plain functions, no I/O. See README.md for the rules.
 */

export {
  type ResolvedIncludes,
  resolveIncludes,
} from "./includes";
export { validatePrompt } from "./lint";

export type { IncludeRef } from "./refs";
export { renderPrompt } from "./render";

export { inspectPrompt } from "./variables";
