import type { ProgramNode } from "./ast";
import { checkNames } from "./checks";
import { expandIncludes, type IncludeLookup, type IncludeUse } from "./includes";
import { type Locations, parseSource } from "./parse";
import { ProblemError, type TemplateProblem } from "./problems";
import { type PromptInput, toContent, toSources } from "./prompt";
import type { PromptContent } from "./schemas";
import type { Source } from "./source";

export interface CompileOptions {
  /** Snippets for `{% include %}`: the record `resolveIncludes` returns, or a synchronous lookup. */
  resolveInclude?: IncludeLookup;
  /** How deep includes may nest (default 10). */
  maxIncludeDepth?: number;
  /** The key of the prompt itself, so a snippet including it back is reported as a cycle. */
  rootKey?: string;
}

export interface CompiledSource {
  source: Source;
  /** The parsed template with included snippets spliced in. */
  program: ProgramNode;
}

export interface CompiledPrompt {
  content: PromptContent;
  /** One per template string that parsed (text: one; chat: one per message). */
  sources: CompiledSource[];
  locations: Locations;
  /** Syntax errors, include problems, unknown filters and tests, grouped by template string. */
  problems: TemplateProblem[];
  /** Includes the lookup did not know (all of them when there is no lookup). */
  unresolved: TemplateProblem[];
  includes: IncludeUse[];
}

/** Parses every template string of a prompt and inlines its includes; collects problems, never throws on them. */
export function compilePrompt(input: PromptInput, options: CompileOptions = {}): CompiledPrompt {
  const content = toContent(input);
  const locations: Locations = new WeakMap();
  const problems: TemplateProblem[] = [];
  const unresolved: TemplateProblem[] = [];
  const includes: IncludeUse[] = [];
  const sources: CompiledSource[] = [];
  for (const source of toSources(content)) {
    try {
      const parsed = parseSource(source, locations);
      const expanded = expandIncludes(parsed, {
        lookup: options.resolveInclude,
        maxDepth: options.maxIncludeDepth,
        rootKey: options.rootKey,
        locations,
      });
      problems.push(...expanded.problems, ...checkNames(parsed.program, locations));
      unresolved.push(...expanded.unresolved);
      includes.push(...expanded.uses);
      sources.push({ source, program: parsed.program });
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      problems.push(error.problem);
    }
  }
  return { content, sources, locations, problems, unresolved, includes };
}
