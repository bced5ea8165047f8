/**
 * Route configs as text: YAML or JSON, parsed and validated against the
 * gateway's `routeConfig`, every error named by line and column (syntax errors
 * where the parser stopped, schema errors at the offending node). Pure (no
 * server imports): the console's editor runs the same check as you type.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { type RouteConfig, routeConfig } from "@/lib/routes/config";
import { jsonSyntaxError } from "./json-syntax";

export type RouteFormat = "yaml" | "json";

export interface SourceIssue {
  line: number;
  column: number;
  /** Dotted path in the config (`deployments.0.weight`); empty for syntax errors. */
  path: string;
  message: string;
}

export type ParsedSource =
  | { ok: true; format: RouteFormat; config: RouteConfig; locate: (path: (string | number)[]) => Position }
  | { ok: false; format: RouteFormat; issues: SourceIssue[] };

interface Position {
  line: number;
  column: number;
}

/** JSON when the text starts with `{`, else YAML (JSON is also YAML, but its errors read better as JSON). */
export function detectFormat(source: string): RouteFormat {
  return source.trimStart().startsWith("{") ? "json" : "yaml";
}

export const formatIssue = (issue: SourceIssue) =>
  `line ${issue.line}, column ${issue.column}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;

export function parseRouteSource(source: string, format: RouteFormat = detectFormat(source)): ParsedSource {
  const lines = new LineCounter();
  if (format === "json") {
    const syntax = jsonIssue(source);
    if (syntax) return { ok: false, format, issues: [syntax] };
  }
  // JSON documents are located through the YAML parser too: it keeps every node's offset.
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      ok: false,
      format,
      issues: doc.errors.map((error) => {
        const at = lines.linePos(error.pos[0]);
        return { line: at.line, column: at.col, path: "", message: error.message.split("\n")[0] };
      }),
    };
  const locate = (path: (string | number)[]): Position => {
    const offset = nodeAt(doc, path)?.range?.[0] ?? 0;
    const at = lines.linePos(offset);
    return { line: at.line, column: at.col };
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { ok: false, format, issues: [{ line: 1, column: 1, path: "", message: (error as Error).message }] };
  }
  if (typeof raw !== "object" || Array.isArray(raw))
    return {
      ok: false,
      format,
      issues: [{ ...locate([]), path: "", message: "The route config must be a mapping (key: value pairs)" }],
    };
  const parsed = routeConfig.safeParse(raw);
  if (!parsed.success) return { ok: false, format, issues: schemaIssues(parsed.error, doc, lines) };
  return { ok: true, format, config: parsed.data, locate };
}

function schemaIssues(error: z.ZodError, doc: Document, lines: LineCounter): SourceIssue[] {
  const position = (node: Node | null): Position => {
    const at = lines.linePos(node?.range?.[0] ?? 0);
    return { line: at.line, column: at.col };
  };
  return error.issues
    .map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      // An unknown key is shown where that key is written, not at its parent.
      const key = issue.code === "unrecognized_keys" ? issue.keys[0] : undefined;
      const keyNode = key === undefined ? null : nodeAt(doc, [...path, key], true);
      return { ...position(keyNode ?? nodeAt(doc, path)), path: path.join("."), message: issue.message };
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The node at `path` (or its nearest existing ancestor); `keyNode` returns the key of the last step instead. */
function nodeAt(doc: Document, path: (string | number)[], keyNode = false): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === step);
      if (!pair) return keyNode ? null : found;
      if (keyNode && i === path.length - 1) return pair.key as Node;
      node = pair.value;
      found = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof step === "number") {
      const item = node.items[step];
      if (!item) return keyNode ? null : found;
      node = item;
      found = item as Node;
    } else return keyNode ? null : found;
  }
  return found;
}

/** 1-based line and column of a character offset. */
function positionAt(source: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < Math.min(offset, source.length); i++)
    if (source[i] === "\n") {
      line++;
      start = i + 1;
    }
  return { line, column: offset - start + 1 };
}

function jsonIssue(source: string): SourceIssue | null {
  try {
    JSON.parse(source);
    return null;
  } catch (error) {
    const found = jsonSyntaxError(source) ?? { offset: source.length, message: (error as Error).message };
    return { ...positionAt(source, found.offset), path: "", message: found.message };
  }
}
