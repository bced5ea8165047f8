// Workflow expressions: `if:` conditions and `${{ ... }}` in `with` values (browser-safe). Parsed by jsep (a small,
// maintained expression parser) and then checked against a whitelist of node kinds: comparisons, &&, ||, !,
// literals, dotted references (`steps.x.outputs.y`, `inputs.n`, `trigger.version`) and the status functions
// `success()`, `failure()`, `always()`. Nothing is ever handed to eval or Function.
import jsep from "jsep";

export type Expr =
  | { type: "literal"; value: string | number | boolean | null }
  | { type: "ref"; path: string[] }
  | { type: "not"; arg: Expr }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { type: "status"; fn: StatusFn };

const BINARY_OPS = ["==", "!=", "<", "<=", ">", ">=", "&&", "||"] as const;
type BinaryOp = (typeof BINARY_OPS)[number];
const STATUS_FNS = ["success", "failure", "always"] as const;
type StatusFn = (typeof STATUS_FNS)[number];

export class ExpressionError extends Error {
  /** 0-based offset into the expression text. */
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = "ExpressionError";
  }
}

type Node = jsep.Expression;

/** The root names a reference may start with. */
const ROOTS = ["steps", "inputs", "trigger"] as const;

function convert(node: Node, text: string): Expr {
  switch (node.type) {
    case "Literal": {
      const value = (node as jsep.Literal).value;
      if (value instanceof RegExp) throw new ExpressionError("Regular expressions are not allowed", 0);
      return { type: "literal", value: value as string | number | boolean | null };
    }
    case "Identifier": {
      const name = (node as jsep.Identifier).name;
      if (name === "true" || name === "false") return { type: "literal", value: name === "true" };
      if (name === "null") return { type: "literal", value: null };
      return { type: "ref", path: [name] };
    }
    case "MemberExpression": {
      const path: string[] = [];
      let cursor: Node = node;
      while (cursor.type === "MemberExpression") {
        const m = cursor as jsep.MemberExpression;
        if (m.computed) {
          if (m.property.type !== "Literal" || typeof (m.property as jsep.Literal).value !== "string")
            throw new ExpressionError("Only quoted names may be used in [ ]", indexOf(text, "["));
          path.unshift(String((m.property as jsep.Literal).value));
        } else path.unshift((m.property as jsep.Identifier).name);
        cursor = m.object;
      }
      if (cursor.type !== "Identifier") throw new ExpressionError("A reference starts with a name", 0);
      path.unshift((cursor as jsep.Identifier).name);
      return { type: "ref", path };
    }
    case "UnaryExpression": {
      const u = node as jsep.UnaryExpression;
      if (u.operator === "!") return { type: "not", arg: convert(u.argument, text) };
      if (u.operator === "-" && u.argument.type === "Literal" && typeof (u.argument as jsep.Literal).value === "number")
        return { type: "literal", value: -((u.argument as jsep.Literal).value as number) };
      throw new ExpressionError(`The operator '${u.operator}' is not allowed`, indexOf(text, u.operator));
    }
    case "BinaryExpression": {
      const b = node as jsep.BinaryExpression;
      if (!(BINARY_OPS as readonly string[]).includes(b.operator))
        throw new ExpressionError(
          `The operator '${b.operator}' is not allowed (use ==, !=, <, <=, >, >=, &&, ||, !)`,
          indexOf(text, b.operator),
        );
      return { type: "binary", op: b.operator as BinaryOp, left: convert(b.left, text), right: convert(b.right, text) };
    }
    case "CallExpression": {
      const c = node as jsep.CallExpression;
      const name = c.callee.type === "Identifier" ? (c.callee as jsep.Identifier).name : "";
      if (!(STATUS_FNS as readonly string[]).includes(name) || c.arguments.length)
        throw new ExpressionError(
          "The only functions are success(), failure() and always()",
          indexOf(text, name || "("),
        );
      return { type: "status", fn: name as StatusFn };
    }
    default:
      throw new ExpressionError(`This kind of expression (${node.type}) is not allowed`, 0);
  }
}

const indexOf = (text: string, token: string) => Math.max(0, text.indexOf(token));

/** Parses an expression; throws ExpressionError with the offset of the problem. */
export function parseExpression(text: string): Expr {
  if (!text.trim()) throw new ExpressionError("The expression is empty", 0);
  if (text.length > 2000) throw new ExpressionError("The expression is longer than 2000 characters", 0);
  let node: Node;
  try {
    node = jsep(text);
  } catch (error) {
    const e = error as { description?: string; index?: number; message: string };
    throw new ExpressionError(e.description ?? e.message, e.index ?? 0);
  }
  if (node.type === "Compound") throw new ExpressionError("One expression only", 0);
  return convert(node, text);
}

/** Every reference in an expression (for checking that each names something that exists upstream). */
export function referencesOf(expr: Expr): string[][] {
  switch (expr.type) {
    case "ref":
      return [expr.path];
    case "not":
      return referencesOf(expr.arg);
    case "binary":
      return [...referencesOf(expr.left), ...referencesOf(expr.right)];
    default:
      return [];
  }
}

export function usesStatusFunction(expr: Expr): boolean {
  if (expr.type === "status") return expr.fn !== "success";
  if (expr.type === "not") return usesStatusFunction(expr.arg);
  if (expr.type === "binary") return usesStatusFunction(expr.left) || usesStatusFunction(expr.right);
  return false;
}

export interface EvalContext {
  steps: Record<string, { outputs: Record<string, unknown>; status: string }>;
  inputs: Record<string, unknown>;
  trigger: Record<string, unknown>;
  /** Whether every step this one needs succeeded / any failed. */
  needsSucceeded: boolean;
  needsFailed: boolean;
}

function lookup(path: string[], ctx: EvalContext): unknown {
  const [root, ...rest] = path;
  let value: unknown = root === "steps" ? ctx.steps : root === "inputs" ? ctx.inputs : ctx.trigger;
  if (!(ROOTS as readonly string[]).includes(root)) return undefined;
  for (const key of rest) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value ?? null;
}

const truthy = (v: unknown) => !(v === false || v === null || v === undefined || v === 0 || v === "");

export function evaluate(expr: Expr, ctx: EvalContext): unknown {
  switch (expr.type) {
    case "literal":
      return expr.value;
    case "ref":
      return lookup(expr.path, ctx);
    case "not":
      return !truthy(evaluate(expr.arg, ctx));
    case "status":
      return expr.fn === "always" ? true : expr.fn === "success" ? ctx.needsSucceeded : ctx.needsFailed;
    case "binary": {
      if (expr.op === "&&") return truthy(evaluate(expr.left, ctx)) && truthy(evaluate(expr.right, ctx));
      if (expr.op === "||") return truthy(evaluate(expr.left, ctx)) || truthy(evaluate(expr.right, ctx));
      const a = evaluate(expr.left, ctx);
      const b = evaluate(expr.right, ctx);
      if (expr.op === "==") return looselyEqual(a, b);
      if (expr.op === "!=") return !looselyEqual(a, b);
      if (typeof a !== typeof b || (typeof a !== "number" && typeof a !== "string")) return false;
      const [x, y] = [a as number, b as number];
      return expr.op === "<" ? x < y : expr.op === "<=" ? x <= y : expr.op === ">" ? x > y : x >= y;
    }
  }
}

/** Strings and numbers compare by value across types ("3" == 3), as in GitHub Actions; everything else strictly. */
function looselyEqual(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "string") return b.trim() !== "" && Number(b) === a;
  if (typeof a === "string" && typeof b === "number") return looselyEqual(b, a);
  if (a && b && typeof a === "object") return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

export const isTruthy = truthy;

/** `${{ expr }}` spans in a string: the text inside and its offset (of the `${{`). */
export function interpolations(value: string): { text: string; start: number; end: number }[] {
  const found: { text: string; start: number; end: number }[] = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf("${{", from);
    if (start < 0) return found;
    const close = value.indexOf("}}", start + 3);
    if (close < 0) {
      found.push({ text: "", start, end: -1 });
      return found;
    }
    found.push({ text: value.slice(start + 3, close), start, end: close + 2 });
    from = close + 2;
  }
}

/**
 * Resolves `${{ }}` in a value: a string that is exactly one expression becomes the expression's value (a number
 * stays a number); otherwise each is replaced by its text. Arrays and objects are resolved throughout.
 */
export function resolveValue(value: unknown, ctx: EvalContext): unknown {
  if (typeof value === "string") {
    const spans = interpolations(value);
    if (!spans.length) return value;
    if (spans.length === 1 && spans[0].start === 0 && spans[0].end === value.length)
      return evaluate(parseExpression(spans[0].text), ctx);
    let out = "";
    let at = 0;
    for (const span of spans) {
      const v = evaluate(parseExpression(span.text), ctx);
      out +=
        value.slice(at, span.start) +
        (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
      at = span.end;
    }
    return out + value.slice(at);
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, ctx));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, ctx)]));
  return value;
}

/** `if:` may be written bare or wrapped in `${{ }}`. Returns the inner text and its offset in the original. */
export function unwrapCondition(text: string): { text: string; offset: number } {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(text);
  if (!m) return { text, offset: 0 };
  return { text: m[1], offset: text.indexOf("${{") + 3 };
}
