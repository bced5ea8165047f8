import { type CompileOptions, compilePrompt } from "./compile";
import { problemsError, type TemplateProblem } from "./problems";
import type { PromptInput } from "./prompt";

/**
 * Everything wrong with a prompt that can be known without variables: syntax errors, unknown filters
 * and tests, and include problems (cycles, depth, missing snippets; includes not resolved are only
 * reported when a lookup is given). For the editor: never throws for template problems.
 */
export function lintPrompt(prompt: PromptInput, options: CompileOptions = {}): TemplateProblem[] {
  const compiled = compilePrompt(prompt, options);
  return options.resolveInclude ? [...compiled.problems, ...compiled.unresolved] : compiled.problems;
}

/** lintPrompt as a VALIDATION DomainError (all problems as issues), for the save path. */
export function validatePrompt(prompt: PromptInput, options: CompileOptions = {}): void {
  const problems = lintPrompt(prompt, options);
  if (problems.length) throw problemsError(problems);
}
