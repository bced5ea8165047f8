/**
 * PostgreSQL refuses two things valid JSON can carry: the NUL character
 * (text and jsonb cannot hold it) and lone UTF-16 surrogates (not Unicode, so
 * not UTF-8 either; the driver silently turns them into U+FFFD or jsonb
 * refuses their escapes). Inputs are checked for both once, where they enter
 * (the tRPC/REST input path, the gateway's body reader), so that they are a
 * 400 naming the field instead of a 500 from the first INSERT that meets them.
 */
import { DomainError } from "@/server/errors";

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * In JSON text, NUL and surrogates can only arrive as `\u` escapes (raw control characters are invalid JSON, and
 * text decoded from UTF-8 holds no lone surrogates): a body without these escapes needs no walk. Escaped surrogate
 * pairs (an ASCII-only encoder's emoji) match too; the walk tells them apart.
 */
export const MAY_HOLD_UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

type PathSegment = string | number;

function problemOf(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  if (found[0] === "\0") return "contains a NUL character (\\u0000), which cannot be stored";
  const unit = found[0].charCodeAt(0).toString(16);
  return `contains a lone UTF-16 surrogate (\\u${unit}), which is not valid Unicode`;
}

/** The first string (value or object key) PostgreSQL would refuse, with its path; null when there is none. */
export function findUnstorableText(value: unknown): { path: PathSegment[]; problem: string } | null {
  // Iterative: a body of 500,000 nested arrays is valid JSON and must not overflow the stack here.
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: node, path } = stack.pop()!;
    if (typeof node === "string") {
      const problem = problemOf(node);
      if (problem) return { path, problem };
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ value: node[i], path: [...path, i] });
    } else if (node && typeof node === "object") {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const problem = problemOf(key);
        if (problem) return { path: [...path, key.replace(new RegExp(UNSTORABLE, "g"), "\uFFFD")], problem };
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return null;
}

/** Throws VALIDATION (400) naming the first unstorable string's field as `a.b.0.c` (the REST issue paths' form). */
export function refuseUnstorableText(value: unknown, what = "input"): void {
  const found = findUnstorableText(value);
  if (!found) return;
  const field = found.path.length ? found.path.join(".") : what;
  throw new DomainError("VALIDATION", `${field}: ${found.problem}`, [{ path: field, message: found.problem }]);
}
