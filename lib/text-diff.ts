import { structuredPatch } from "diff";

/** One line of a hunk, numbered in the old and/or new text (1-based). */
interface DiffLine {
  type: "context" | "add" | "remove";
  text: string;
  oldLine?: number;
  newLine?: number;
}

interface DiffHunk {
  /** `@@ -3,4 +3,5 @@` */
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface TextDiff {
  hunks: DiffHunk[];
  additions: number;
  deletions: number;
}

export const DEFAULT_CONTEXT = 3;

/** A final newline is not significant (the renderer drops one too), so every text gets exactly one for diffing. */
const withFinalNewline = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

const lineCount = (text: string) => (text === "" ? 0 : text.split("\n").length - 1);

/** A whole text added or removed: one hunk against an empty side, numbered from 0 there as in `diff -u`. */
function wholeText(text: string, type: "add" | "remove"): TextDiff {
  const lines = text.split("\n").slice(0, -1);
  const n = lines.length;
  const hunk: DiffHunk =
    type === "add"
      ? {
          header: `@@ -0,0 +${range(1, n)} @@`,
          oldStart: 0,
          oldLines: 0,
          newStart: 1,
          newLines: n,
          lines: lines.map((line, i) => ({ type, text: line, newLine: i + 1 })),
        }
      : {
          header: `@@ -${range(1, n)} +0,0 @@`,
          oldStart: 1,
          oldLines: n,
          newStart: 0,
          newLines: 0,
          lines: lines.map((line, i) => ({ type, text: line, oldLine: i + 1 })),
        };
  return { hunks: [hunk], additions: type === "add" ? n : 0, deletions: type === "remove" ? n : 0 };
}

/**
 * Line diff of two texts as numbered hunks (jsdiff's `structuredPatch`, made explicit for rendering).
 * A missing final newline is not reported as a change.
 */
export function diffText(before: string, after: string, context = DEFAULT_CONTEXT): TextDiff {
  const oldText = withFinalNewline(before);
  const newText = withFinalNewline(after);
  if (oldText === newText) return { hunks: [], additions: 0, deletions: 0 };
  if (lineCount(oldText) === 0) return wholeText(newText, "add");
  if (lineCount(newText) === 0) return wholeText(oldText, "remove");
  const patch = structuredPatch("a", "b", oldText, newText, undefined, undefined, { context });
  let additions = 0;
  let deletions = 0;
  const hunks = patch.hunks.map((hunk): DiffHunk => {
    let oldLine = hunk.oldStart;
    let newLine = hunk.newStart;
    const lines: DiffLine[] = [];
    for (const raw of hunk.lines) {
      const text = raw.slice(1);
      switch (raw[0]) {
        case " ":
          lines.push({ type: "context", text, oldLine: oldLine++, newLine: newLine++ });
          break;
        case "-":
          deletions++;
          lines.push({ type: "remove", text, oldLine: oldLine++ });
          break;
        case "+":
          additions++;
          lines.push({ type: "add", text, newLine: newLine++ });
          break;
      }
    }
    const header = `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`;
    return {
      header,
      oldStart: hunk.oldStart,
      oldLines: hunk.oldLines,
      newStart: hunk.newStart,
      newLines: hunk.newLines,
      lines,
    };
  });
  return { hunks, additions, deletions };
}

function range(start: number, lines: number): string {
  return lines === 1 ? `${start}` : `${start},${lines}`;
}

const PREFIX = { context: " ", add: "+", remove: "-" } as const;

/** The hunks in unified-diff form, under `--- old` / `+++ new` headers; "" when there is nothing to show. */
export function formatUnified(oldName: string, newName: string, diff: TextDiff, { headersOnly = false } = {}): string {
  if (!diff.hunks.length && !headersOnly) return "";
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  for (const hunk of diff.hunks) {
    out.push(hunk.header);
    for (const line of hunk.lines) {
      out.push(PREFIX[line.type] + line.text);
    }
  }
  return `${out.join("\n")}\n`;
}
