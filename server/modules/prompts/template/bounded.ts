import { children, type Node } from "./ast";
import type { CompiledPrompt } from "./compile";

/** Filters whose output is at most a small multiple of their input (tojson and escape: 6×, `\u0000` / `&#39;`). */
const LINEAR_FILTERS = new Set([
  "upper",
  "lower",
  "title",
  "capitalize",
  "trim",
  "default",
  "length",
  "count",
  "first",
  "last",
  "int",
  "float",
  "string",
  "abs",
  "round",
  "tojson",
  "escape",
  "e",
]);
const EXPANSION = 6;

/** Nodes that repeat, call or build: a template holding one may cost more than its size says. */
const UNBOUNDED = new Set(["For", "Macro", "CallStatement", "FilterStatement", "Set", "CallExpression"]);

export interface TemplateBound {
  /** Characters of the template text (what it prints besides values). */
  textChars: number;
  /** Identifiers read: each prints at most one variable's worth, EXPANSION times over. */
  references: number;
}

/**
 * Whether a prompt can only do work proportional to its size and its variables: no loops, macros, calls or
 * `set` (so every node is evaluated at most once), only filters that do not multiply, no `*`. Then each
 * identifier prints at most all of the variables (EXPANSION times over, numbers and separators included), and
 * `outputBound` says how much output that can make; null when the prompt is not bounded this way.
 */
export function templateBound(compiled: CompiledPrompt): TemplateBound | null {
  if (compiled.problems.length || compiled.unresolved.length) return null;
  let textChars = 0;
  let references = 0;
  const visit = (node: Node): boolean => {
    if (UNBOUNDED.has(node.type)) return false;
    if (node.type === "BinaryExpression" && (node.operator.value === "*" || node.operator.value === "**")) return false;
    if (node.type === "StringLiteral") textChars += node.value.length;
    if (node.type === "Identifier") references++;
    if (node.type === "FilterExpression") {
      const filter = node.filter.type === "CallExpression" ? node.filter.callee : node.filter;
      if (filter.type !== "Identifier" || !LINEAR_FILTERS.has(filter.value)) return false;
      const args = node.filter.type === "CallExpression" ? node.filter.args : [];
      return visit(node.operand) && args.every(visit);
    }
    return children(node).every(visit);
  };
  for (const { program } of compiled.sources) if (!visit(program)) return null;
  return { textChars, references };
}

/** The most characters a bounded prompt can render with variables holding `chars` characters in `items` items. */
export const outputBound = (bound: TemplateBound, variables: { chars: number; items: number }) =>
  bound.textChars + bound.references * EXPANSION * (variables.chars + 32 * (variables.items + 1));
