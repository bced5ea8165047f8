import { DomainError, type FieldIssue } from "@/server/errors";
import { describePosition, describeWhere, excerpt, positionAt, type Source, type SourcePosition } from "./source";

export type ProblemKind = "syntax" | "filter" | "test" | "include" | "variable" | "type" | "render";

/** One thing wrong with a prompt or a render, with where it is. */
export interface TemplateProblem {
  kind: ProblemKind;
  /** The issue path: `template`, `messages.1.content`, or `variables.question`. */
  path: string;
  /** The message without the position, e.g. `Unknown filter "uppercase"`. */
  message: string;
  position?: SourcePosition;
  /** The offending source line with a caret under the column. */
  excerpt?: string;
}

export function problemAt(
  kind: ProblemKind,
  source: Source,
  offset: number,
  message: string,
  options: { path?: string; withExcerpt?: boolean } = {},
): TemplateProblem {
  return {
    kind,
    path: options.path ?? source.path,
    message,
    position: positionAt(source, offset),
    ...(options.withExcerpt === false ? {} : { excerpt: excerpt(source, offset) }),
  };
}

/** `line 3, column 5: message` plus the excerpt: what an issue's message says. */
function issueMessage(problem: TemplateProblem): string {
  const at = problem.position
    ? problem.path === problem.position.path
      ? `${describePosition(problem.position)}: `
      : `${describeWhere(problem.position)}: `
    : "";
  return `${at}${problem.message}${problem.excerpt ? `\n${problem.excerpt}` : ""}`;
}

/** Messages of the other kinds name the problem themselves ("Unknown filter …", "Missing variable …"). */
const HEADLINES: Partial<Record<ProblemKind, string>> = {
  syntax: "Template syntax error: ",
  render: "Template render error: ",
};

/** One VALIDATION error for a list of problems: the first one in the message, all of them as issues. */
export function problemsError(problems: TemplateProblem[]): DomainError {
  const first = problems[0];
  const issues: FieldIssue[] = problems.map((p) => ({ path: p.path, message: issueMessage(p) }));
  const where = first.position ? ` (${describeWhere(first.position)})` : "";
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
  const headline = HEADLINES[first.kind] ?? "";
  const message = `${headline}${first.message}${where}${more}${first.excerpt ? `\n${first.excerpt}` : ""}`;
  return new DomainError("VALIDATION", message, issues);
}

/** Thrown inside the template module to stop at a problem; turned into a DomainError at the edge. */
export class ProblemError extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(problem.message);
    this.name = "ProblemError";
  }
}
