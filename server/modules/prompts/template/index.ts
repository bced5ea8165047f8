/**
 * Prompt templates: Jinja (via @huggingface/jinja) with positions, strict rendering, variable
 * detection and includes. Plain functions, no I/O. See README.md for the rules.
 */

export type { CompileOptions } from "./compile";
export {
  collectIncludes,
  DEFAULT_MAX_INCLUDE_DEPTH,
  type IncludeLookup,
  type IncludeResolver,
  type IncludeUse,
  type ResolvedIncludes,
  type ResolvedSnippet,
  resolveIncludes,
} from "./includes";
export { lintPrompt, validatePrompt } from "./lint";
export type { ProblemKind, TemplateProblem } from "./problems";
export { type PromptInput, toContent } from "./prompt";
export { type IncludeRef, parseIncludeRef } from "./refs";
export { type RenderedPrompt, type RenderOptions, renderPrompt } from "./render";
export type { ChatMessageTemplate, ChatRole, PromptContent, PromptVariables } from "./schemas";
export type { SourcePosition } from "./source";
export {
  type DetectedVariable,
  type DetectOptions,
  detectVariables,
  inspectPrompt,
  type VariableKind,
} from "./variables";
