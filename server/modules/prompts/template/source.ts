/**
 * Where things are in a prompt: every template string of a prompt is a "source" (the text template,
 * or one chat message's content, or a snippet pulled in by `{% include %}`), and positions are
 * 1-based line and column (UTF-16 units, as editors count them) inside that source.
 */

export interface SourcePosition {
  /** The prompt field the position is in: `template`, or `messages.2.content` for a chat message. */
  path: string;
  /** Chat prompts: the message index (0-based). */
  message?: number;
  /** Set when the position is inside an included snippet: the chain of include refs, outermost first. */
  include?: string[];
  line: number;
  column: number;
}

/** One template string and how to name positions in it. */
export interface Source {
  text: string;
  path: string;
  message?: number;
  include?: string[];
  /** Orders positions across sources: message index, then include sites' offsets, then the offset here. */
  orderPrefix: number[];
  lineStarts?: number[];
}

export function rootSource(text: string, path: string, message?: number): Source {
  return { text, path, message, orderPrefix: [message ?? 0] };
}

function lineStarts(source: Source): number[] {
  if (!source.lineStarts) {
    const starts = [0];
    for (let i = 0; i < source.text.length; i++) if (source.text[i] === "\n") starts.push(i + 1);
    source.lineStarts = starts;
  }
  return source.lineStarts;
}

export function lineColumn(source: Source, offset: number): { line: number; column: number } {
  const starts = lineStarts(source);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

export function positionAt(source: Source, offset: number): SourcePosition {
  const { line, column } = lineColumn(source, offset);
  return {
    path: source.path,
    ...(source.message === undefined ? {} : { message: source.message }),
    ...(source.include ? { include: source.include } : {}),
    line,
    column,
  };
}

/** "line 3, column 5", or "line 2, column 1 of include "shared/tone@production"" inside a snippet. */
export function describePosition(position: SourcePosition): string {
  const at = `line ${position.line}, column ${position.column}`;
  if (!position.include?.length) return at;
  return `${at} of include ${position.include.map((ref) => `"${ref}"`).join(" → ")}`;
}

/** "template line 3, column 5" / "messages.1.content line 3, column 5": where, for a top-level message. */
export function describeWhere(position: SourcePosition): string {
  return `${position.path} ${describePosition(position)}`;
}

const EXCERPT_WIDTH = 80;

/** The source line with a caret under the column, clipped around the column for long lines. */
export function excerpt(source: Source, offset: number): string {
  const { line, column } = lineColumn(source, offset);
  const starts = lineStarts(source);
  const start = starts[line - 1];
  const end = line < starts.length ? starts[line] - 1 : source.text.length;
  let text = source.text.slice(start, end).replace(/\r$/, "");
  let caret = column - 1;
  if (text.length > EXCERPT_WIDTH) {
    const from = Math.max(0, Math.min(caret - EXCERPT_WIDTH / 2, text.length - EXCERPT_WIDTH));
    const prefix = from > 0 ? "…" : "";
    const suffix = from + EXCERPT_WIDTH < text.length ? "…" : "";
    text = prefix + text.slice(from, from + EXCERPT_WIDTH) + suffix;
    caret = caret - from + prefix.length;
  }
  // Tabs keep their width in the caret line so the caret lines up in a terminal or <pre>.
  const pad = text.slice(0, caret).replace(/[^\t]/g, " ");
  const gutter = String(line);
  return `${gutter} | ${text}\n${" ".repeat(gutter.length)} | ${pad}^`;
}

export function compareOrder(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
