/**
 * The route editor's Form and YAML tabs edit one text. The form reads the text's
 * data (`readDraft`) and writes a changed draft back with `applyDraft`, which
 * changes only the nodes whose values changed (yaml's Document API), so the
 * comments, key order and quoting of everything else survive a form edit.
 * JSON sources stay JSON (pretty-printed, key order kept; JSON has no comments).
 * Pure: the console runs it as you type.
 */
import { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { detectFormat, parseRouteSource, type SourceIssue } from "./parse";

/** A route config as written (defaults not applied): what the form edits. */
export type RouteDraft = Record<string, unknown>;

export type DraftResult = { ok: true; draft: RouteDraft } | { ok: false; issues: SourceIssue[] };

type Path = (string | number)[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The text's data when it is well-formed YAML/JSON holding a mapping (schema problems are the form's to show,
 * next to each field); otherwise the syntax issues, by line, and the editor stays on the text.
 */
export function readDraft(source: string): DraftResult {
  if (source.trim() === "") return { ok: true, draft: {} };
  const doc = parseDocument(source, { uniqueKeys: true });
  const jsonBroken = detectFormat(source) === "json" && !isJson(source);
  if (doc.errors.length > 0 || jsonBroken) {
    const parsed = parseRouteSource(source);
    return { ok: false, issues: parsed.ok ? [] : parsed.issues.filter((i) => i.path === "") };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, issues: [{ line: 1, column: 1, path: "", message: (error as Error).message }] };
  }
  if (data == null) return { ok: true, draft: {} };
  if (!isRecord(data))
    return {
      ok: false,
      issues: [{ line: 1, column: 1, path: "", message: "The route config must be a mapping (key: value pairs)" }],
    };
  return { ok: true, draft: data };
}

function isJson(source: string): boolean {
  try {
    JSON.parse(source);
    return true;
  } catch {
    return false;
  }
}

/** The text with `next` written into it: only what differs from the text's current data is touched. */
export function applyDraft(source: string, next: RouteDraft): string {
  if (detectFormat(source) === "json") return `${JSON.stringify(next, null, 2)}\n`;
  const doc = parseDocument(source, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error("The text has syntax errors: fix them before editing in the form");
  if (!isMap(doc.contents)) {
    doc.contents = doc.createNode(next) as unknown as typeof doc.contents;
    return String(doc);
  }
  patch(doc, [], doc.toJS() as unknown, next);
  return String(doc);
}

/** Writes `next` over `prev` at `path` in `doc`, node by node where both sides are the same kind of collection. */
function patch(doc: Document, path: Path, prev: unknown, next: unknown) {
  if (isRecord(prev) && isRecord(next)) {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    for (const key of Object.keys(prev)) if (!(key in next) || next[key] === undefined) doc.deleteIn([...path, key]);
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined) continue;
      if (key in prev) patch(doc, [...path, key], prev[key], value);
      else {
        blockStyle(node);
        doc.setIn([...path, key], value);
      }
    }
    return;
  }
  if (Array.isArray(prev) && Array.isArray(next)) {
    const node = doc.getIn(path, true);
    const common = Math.min(prev.length, next.length);
    for (let i = 0; i < common; i++) patch(doc, [...path, i], prev[i], next[i]);
    for (let i = prev.length - 1; i >= next.length; i--) doc.deleteIn([...path, i]);
    if (next.length > prev.length && prev.length === 0 && isScalarList(next) === false) blockStyle(node);
    for (let i = prev.length; i < next.length; i++) doc.addIn(path, doc.createNode(next[i]));
    return;
  }
  if (prev === next) return;
  // A scalar keeps its node (and so its comment); a changed kind of value replaces the node.
  doc.setIn(path, isRecord(next) || Array.isArray(next) ? doc.createNode(next) : next);
}

const isScalarList = (list: unknown[]) => list.every((v) => v === null || typeof v !== "object");

/** An empty flow collection (`pipeline: {}`) written into becomes a block one, as a person would write it. */
function blockStyle(node: unknown) {
  if ((isMap(node) || isSeq(node)) && (node as YAMLMap | YAMLSeq).items.length === 0) node.flow = false;
}

/**
 * Adds a commented entry under `path` (a map): used by "Insert guard", so the inserted guard carries the note on
 * what it costs. Replaces an existing entry of that key (its comment too).
 */
export function insertCommented(source: string, path: string[], key: string, value: unknown, comment: string): string {
  if (detectFormat(source) === "json") {
    const draft = readDraft(source);
    if (!draft.ok) throw new Error("The text has syntax errors: fix them before inserting");
    return applyDraft(source, setPath(draft.draft, [...path, key], value));
  }
  const doc = parseDocument(source.trim() === "" ? "{}" : source, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error("The text has syntax errors: fix them before inserting");
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  let map = doc.contents as unknown as YAMLMap;
  for (let i = 0; i < path.length; i++) {
    const child = map.get(path[i], true);
    if (!isMap(child)) {
      blockStyle(map);
      map.set(doc.createNode(path[i]), doc.createNode({}));
    }
    map = map.get(path[i], true) as unknown as YAMLMap;
    blockStyle(map);
    map.flow = false;
  }
  const keyNode = doc.createNode(key);
  keyNode.commentBefore = comment
    .split("\n")
    .map((line) => ` ${line}`)
    .join("\n");
  const existing = map.items.findIndex((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  const pair = doc.createPair(keyNode, value);
  if (existing >= 0) map.items[existing] = pair;
  else map.items.push(pair);
  return String(doc);
}

/** `draft` with `value` at `path` (objects created on the way; `undefined` removes the key). Never mutates. */
export function setPath(draft: RouteDraft, path: Path, value: unknown): RouteDraft {
  const [head, ...rest] = path;
  const write = (container: unknown): unknown => {
    if (rest.length === 0) return value;
    return setPath((isRecord(container) || Array.isArray(container) ? container : {}) as RouteDraft, rest, value);
  };
  if (Array.isArray(draft)) {
    const copy = [...(draft as unknown[])];
    copy[head as number] = write(copy[head as number]);
    return copy as unknown as RouteDraft;
  }
  const copy: RouteDraft = { ...draft };
  const written = write(copy[head as string]);
  if (written === undefined) delete copy[head as string];
  else copy[head as string] = written;
  return copy;
}

/** The value at `path`, or undefined. */
export function getPath(draft: unknown, path: Path): unknown {
  let at: unknown = draft;
  for (const step of path) {
    if (at == null || typeof at !== "object") return undefined;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at;
}
