// From a path in the parsed YAML document to a line and column (1-based) in its source.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type ParsedNode } from "yaml";

export interface WorkflowError {
  line: number;
  column: number;
  message: string;
  /** Where in the document, dotted (`steps.eval.with.targets`), when the error is about a value. */
  path?: string;
}

export type Path = (string | number)[];

export class Locator {
  constructor(
    readonly doc: Document.Parsed,
    readonly lines: LineCounter,
    readonly source: string,
  ) {}

  /** The node at `path` (or, with `key`, the key of its last segment: for "unknown property"). */
  node(path: Path, key = false): Node | null {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
        );
        if (!pair) return node as Node;
        if (key && i === path.length - 1) return (pair.key as Node) ?? (node as Node);
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (!item) return node as Node;
        node = item;
      } else return (node as Node) ?? null;
    }
    return (node as Node) ?? null;
  }

  /** The offset of the start of the node at `path` (the document's start when nothing is there). */
  offset(path: Path, key = false): number {
    const node = this.node(path, key) as ParsedNode | null;
    return node?.range?.[0] ?? 0;
  }

  /**
   * The offset of character `index` of the string value at `path`: found in the source when the value is written
   * as is (plain or quoted without escapes), otherwise the value's start.
   */
  offsetInValue(path: Path, index: number): number {
    const node = this.node(path) as ParsedNode | null;
    if (!node?.range || !isScalar(node)) return node?.range?.[0] ?? 0;
    const raw = this.source.slice(node.range[0], node.range[1]);
    const at = raw.indexOf(String(node.value));
    return at >= 0 ? node.range[0] + at + index : node.range[0];
  }

  error(offset: number, message: string, path?: Path): WorkflowError {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col, message, ...(path?.length ? { path: path.join(".") } : {}) };
  }
}
