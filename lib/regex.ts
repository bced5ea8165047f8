/**
 * Patterns users write (route guardrails, dataset filters) run in RE2 (the `re2js` port): matching time grows
 * linearly with the text whatever the pattern, so `^(a+)+$` cannot hold a process (ReDoS). RE2 has no
 * backreferences and no lookaround; a pattern using them is refused when it is saved. Browser-safe: the
 * console validates with the same code.
 */
import { RE2JS } from "re2js";

/** JavaScript's flags as users spell them: i, m, s; u is accepted and changes nothing (RE2 is Unicode). */
function re2Flags(flags: string): number {
  let bits = 0;
  if (flags.includes("i")) bits |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes("m")) bits |= RE2JS.MULTILINE;
  if (flags.includes("s")) bits |= RE2JS.DOTALL;
  return bits;
}

/** `\uXXXX` and `\u{X…}` as JavaScript writes them become RE2's `\x{…}`; an escaped backslash stays as it is. */
function fromJsEscapes(pattern: string): string {
  return pattern.replace(/\\\\|\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})/g, (all, braced?: string, four?: string) =>
    braced || four ? `\\x{${braced ?? four}}` : all,
  );
}

/** Compiles a user's pattern; throws RE2's syntax error (with the offending fragment) when it cannot. */
export function compileUserPattern(pattern: string, flags: string): RE2JS {
  return RE2JS.compile(fromJsEscapes(pattern), re2Flags(flags));
}

const UNSUPPORTED = /\(\?<?[=!]|\\[1-9]|\\k</;

/** Why RE2 cannot compile a pattern, or null. */
export function userPatternProblem(pattern: string, flags: string): string | null {
  try {
    compileUserPattern(pattern, flags);
    return null;
  } catch (error) {
    const reason = (error as Error).message.replace(/^error parsing regexp: /, "");
    const hint = UNSUPPORTED.test(pattern)
      ? " (backreferences and lookahead/lookbehind are not supported: patterns run in RE2, which matches in linear time)"
      : "";
    return `Not a pattern RE2 can run: ${reason}${hint}`;
  }
}

/** Why a pattern cannot be a guardrail, or null: the editor shows this next to the field. */
export function guardPatternProblem(pattern: string, flags: string): string | null {
  const problem = userPatternProblem(pattern, flags);
  if (problem) return problem;
  if (compileUserPattern(pattern, flags).test(""))
    return "The pattern matches empty text: it must match at least one character";
  return null;
}
