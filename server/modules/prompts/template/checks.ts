import type { Node } from "./ast";
import { children } from "./ast";
import type { Locations } from "./parse";
import { problemAt, type TemplateProblem } from "./problems";

/**
 * Filters and tests @huggingface/jinja 0.5.11 implements (its runtime's `applyFilter` and
 * `Environment.TESTS`). The library only notices an unknown filter when it applies it, with a
 * type-dependent message ("Unknown StringValue filter: x"), and an unknown filter in a branch that
 * does not run is never noticed at all, so names are checked up front against these lists.
 */
const KNOWN_FILTERS = new Set([
  "abs",
  "bool",
  "capitalize",
  "default",
  "dictsort",
  "first",
  "float",
  "indent",
  "int",
  "items",
  "join",
  "last",
  "length",
  "list",
  "lower",
  "map",
  "rejectattr",
  "replace",
  "reverse",
  "safe",
  "selectattr",
  "sort",
  "string",
  "title",
  "tojson",
  "trim",
  "unique",
  "upper",
]);

const KNOWN_TESTS = new Set([
  "boolean",
  "callable",
  "defined",
  "eq",
  "equalto",
  "even",
  "false",
  "integer",
  "iterable",
  "lower",
  "mapping",
  "none",
  "number",
  "odd",
  "sequence",
  "string",
  "true",
  "undefined",
  "upper",
]);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** " (did you mean "upper"?)" when a known name is close (a typo, or one contains the other), else "". */
function suggestion(name: string, known: Iterable<string>): string {
  const allowed = Math.max(1, Math.floor(name.length / 3));
  let best: { name: string; score: number } | null = null;
  for (const candidate of known) {
    const score = candidate.startsWith(name) || name.startsWith(candidate) ? 1 : distance(name, candidate);
    if (score <= allowed && (!best || score < best.score)) best = { name: candidate, score };
  }
  return best ? ` (did you mean "${best.name}"?)` : "";
}

/** Unknown filters and tests anywhere in the tree, including branches that would not run. */
export function checkNames(program: Node, locations: Locations): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (kind: "filter" | "test", name: string, node: object) => {
    const location = locations.get(node);
    if (!location) return;
    const known = kind === "filter" ? KNOWN_FILTERS : KNOWN_TESTS;
    const message = `Unknown ${kind} "${name}"${suggestion(name, known)}`;
    problems.push(problemAt(kind, location.source, location.offset, message));
  };
  const visit = (node: Node) => {
    if (node.type === "FilterExpression" || node.type === "FilterStatement") {
      const filter = node.filter.type === "CallExpression" ? node.filter.callee : node.filter;
      if (filter.type === "Identifier" && !KNOWN_FILTERS.has(filter.value)) report("filter", filter.value, filter);
      // selectattr("x", "defined"): the second argument names a test.
      if (
        node.filter.type === "CallExpression" &&
        filter.type === "Identifier" &&
        /^(select|reject)attr$/.test(filter.value)
      ) {
        const test = node.filter.args[1];
        if (test?.type === "StringLiteral" && !KNOWN_TESTS.has(test.value)) {
          const anchor = filter;
          const location = locations.get(anchor);
          if (location) {
            problems.push(
              problemAt(
                "test",
                location.source,
                location.offset,
                `Unknown test "${test.value}"${suggestion(test.value, KNOWN_TESTS)}`,
              ),
            );
          }
        }
      }
    } else if (node.type === "TestExpression" && !KNOWN_TESTS.has(node.test.value)) {
      report("test", node.test.value, node.test);
    }
    for (const child of children(node)) visit(child);
  };
  visit(program);
  return problems;
}
