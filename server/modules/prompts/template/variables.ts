import type { IdentifierNode, MemberExpressionNode, Node } from "./ast";
import { type CompiledPrompt, type CompileOptions, compilePrompt } from "./compile";
import type { IncludeUse } from "./includes";
import { problemsError } from "./problems";
import type { PromptInput } from "./prompt";
import { compareOrder, positionAt, type SourcePosition } from "./source";

/**
 * Names the runtime provides; they are never variables (and cannot be passed as variables).
 * `strftime_now` is deliberately absent: renders stay reproducible, so pass dates as variables.
 */
export const GLOBAL_NAMES = new Set([
  "true",
  "false",
  "none",
  "True",
  "False",
  "None",
  "range",
  "namespace",
  "raise_exception",
]);

/** How a variable is used: looped over (list), read by attribute (object), or printed/tested (scalar). */
type VariableKind = "list" | "object" | "scalar";

export interface DetectedVariable {
  name: string;
  /** list wins over object, object over scalar. */
  kind: VariableKind;
  /**
   * false when every use is guarded: `x is defined` (including the branch it guards), or `x | default(…)`.
   * A render needs every required variable.
   */
  required: boolean;
  /** For a list: attributes read on its items (`ex.input` in `for ex in examples`); for an object: its attributes. */
  fields: string[];
  /** The first use, in source order (chat: message order). */
  position: SourcePosition;
}

export interface VariableAnalysis {
  variables: DetectedVariable[];
  /** Where each list variable is first looped over, and each object variable first read by attribute. */
  listUses: Map<string, SourcePosition>;
  objectUses: Map<string, SourcePosition>;
}

interface Binding {
  /** For `for ex in examples`: ex's items come from the free variable `examples`. */
  itemsOf?: string;
}

class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(private readonly parent?: Scope) {}
  bind(name: string, binding: Binding = {}) {
    this.names.set(name, binding);
  }
  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}

interface Context {
  scope: Scope;
  /** Free variables known to be defined here (inside `{% if x is defined %}`, …). */
  guards: ReadonlySet<string>;
}

interface Record {
  name: string;
  order: number[];
  position: SourcePosition;
  list: boolean;
  object: boolean;
  required: boolean;
  fields: Set<string>;
}

/** Attributes that are built into strings and lists, not fields of an object. */
const BUILTIN_ATTRIBUTES = new Set(["length"]);

function rootIdentifier(node: Node): IdentifierNode | null {
  if (node.type === "Identifier") return node;
  if (node.type === "MemberExpression") return rootIdentifier(node.object);
  return null;
}

/** The variable a for loop iterates, through filters (`xs | reverse`), slices (`xs[:3]`) and `if` tests. */
function iteratedIdentifier(node: Node): IdentifierNode | null {
  if (node.type === "Identifier") return node;
  if (node.type === "FilterExpression") return iteratedIdentifier(node.operand);
  if (node.type === "SelectExpression") return iteratedIdentifier(node.lhs);
  if (node.type === "MemberExpression" && node.computed && node.property.type === "SliceExpression") {
    return iteratedIdentifier(node.object);
  }
  return null;
}

/** Names that are certainly defined when `test` is truthy (or falsy, with `negated`). */
function definedWhen(test: Node, negated: boolean): string[] {
  switch (test.type) {
    case "TestExpression": {
      const name = rootIdentifier(test.operand)?.value;
      if (!name) return [];
      const sense = test.test.value === "defined" ? true : test.test.value === "undefined" ? false : null;
      if (sense === null) return [];
      return (sense !== test.negate) !== negated ? [name] : [];
    }
    case "UnaryExpression":
      return test.operator.value === "not" ? definedWhen(test.argument, !negated) : [];
    case "BinaryExpression":
      if (test.operator.value === "and" && !negated)
        return [...definedWhen(test.left, false), ...definedWhen(test.right, false)];
      if (test.operator.value === "or" && negated)
        return [...definedWhen(test.left, true), ...definedWhen(test.right, true)];
      return [];
    default:
      return [];
  }
}

/** Walks every compiled template string with Jinja's scoping and records the free variables. */
export function analyzeVariables(compiled: CompiledPrompt): VariableAnalysis {
  const records = new Map<string, Record>();
  const listUses = new Map<string, { order: number[]; position: SourcePosition }>();
  const objectUses = new Map<string, { order: number[]; position: SourcePosition }>();

  const locate = (node: IdentifierNode) => {
    const location = compiled.locations.get(node);
    if (!location) return null;
    return {
      order: [...location.source.orderPrefix, location.offset],
      position: positionAt(location.source, location.offset),
    };
  };
  const firstUse = (
    map: Map<string, { order: number[]; position: SourcePosition }>,
    name: string,
    node: IdentifierNode,
  ) => {
    const at = locate(node);
    const known = map.get(name);
    if (at && (!known || compareOrder(at.order, known.order) < 0)) map.set(name, at);
  };

  const guarded = (ctx: Context, names: string[]): Context =>
    names.length ? { scope: ctx.scope, guards: new Set([...ctx.guards, ...names]) } : ctx;

  /** A use of a name: free unless bound or global. */
  const reference = (node: IdentifierNode, ctx: Context, use: { field?: string; optional?: boolean } = {}) => {
    const name = node.value;
    const binding = ctx.scope.lookup(name);
    if (binding) {
      if (binding.itemsOf && use.field) records.get(binding.itemsOf)?.fields.add(use.field);
      return;
    }
    if (GLOBAL_NAMES.has(name)) return;
    const at = locate(node);
    if (!at) return;
    let record = records.get(name);
    if (!record) {
      record = { name, ...at, list: false, object: false, required: false, fields: new Set() };
      records.set(name, record);
    } else if (compareOrder(at.order, record.order) < 0) {
      Object.assign(record, at);
    }
    if (!use.optional && !ctx.guards.has(name)) record.required = true;
    if (use.field) {
      record.object = true;
      record.fields.add(use.field);
      firstUse(objectUses, name, node);
    }
  };

  const member = (node: MemberExpressionNode, ctx: Context, optional: boolean) => {
    const property = node.property;
    if (node.object.type === "Identifier") {
      const field =
        !node.computed && property.type === "Identifier" && !BUILTIN_ATTRIBUTES.has(property.value)
          ? property.value
          : undefined;
      reference(node.object, ctx, { field, optional });
    } else if (node.object.type === "MemberExpression") {
      member(node.object, ctx, optional);
    } else {
      expression(node.object, ctx);
    }
    if (node.computed) expression(property, ctx);
  };

  const expression = (node: Node, ctx: Context, optional = false): void => {
    switch (node.type) {
      case "Identifier":
        reference(node, ctx, { optional });
        return;
      case "MemberExpression":
        member(node, ctx, optional);
        return;
      case "CallExpression":
        // x.upper(): a method call says nothing about x's fields.
        if (node.callee.type === "MemberExpression") {
          expression(node.callee.object, ctx);
          if (node.callee.computed) expression(node.callee.property, ctx);
        } else {
          expression(node.callee, ctx);
        }
        for (const arg of node.args) expression(arg, ctx);
        return;
      case "FilterExpression": {
        const filter = node.filter.type === "CallExpression" ? node.filter.callee : node.filter;
        const isDefault = filter.type === "Identifier" && filter.value === "default";
        expression(node.operand, ctx, isDefault);
        if (node.filter.type === "CallExpression") for (const arg of node.filter.args) expression(arg, ctx);
        return;
      }
      case "TestExpression": {
        const aboutDefinedness = node.test.value === "defined" || node.test.value === "undefined";
        expression(node.operand, ctx, aboutDefinedness);
        return;
      }
      case "BinaryExpression":
        expression(node.left, ctx);
        if (node.operator.value === "and") expression(node.right, guarded(ctx, definedWhen(node.left, false)));
        else if (node.operator.value === "or") expression(node.right, guarded(ctx, definedWhen(node.left, true)));
        else expression(node.right, ctx);
        return;
      case "Ternary":
        expression(node.condition, ctx);
        expression(node.trueExpr, guarded(ctx, definedWhen(node.condition, false)));
        expression(node.falseExpr, guarded(ctx, definedWhen(node.condition, true)));
        return;
      case "SelectExpression":
        expression(node.test, ctx);
        expression(node.lhs, guarded(ctx, definedWhen(node.test, false)));
        return;
      case "UnaryExpression":
      case "SpreadExpression":
      case "KeywordSpreadExpression":
        expression(node.argument, ctx);
        return;
      case "KeywordArgumentExpression":
        expression(node.value, ctx);
        return;
      case "ArrayLiteral":
      case "TupleLiteral":
        for (const item of node.value) expression(item, ctx);
        return;
      case "ObjectLiteral":
        for (const [key, value] of node.value) {
          expression(key, ctx);
          expression(value, ctx);
        }
        return;
      case "SliceExpression":
        for (const part of [node.start, node.stop, node.step]) if (part) expression(part, ctx);
        return;
      default:
        // Literals; statements never appear inside expressions.
        return;
    }
  };

  const bindTargets = (target: Node, ctx: Context) => {
    if (target.type === "Identifier") ctx.scope.bind(target.value);
    else if (target.type === "TupleLiteral") for (const item of target.value) bindTargets(item, ctx);
    else if (target.type === "MemberExpression") expression(target.object, ctx); // {% set ns.x = … %} reads ns
  };

  const statements = (list: Node[], ctx: Context) => {
    for (const node of list) statement(node, ctx);
  };

  const statement = (node: Node, ctx: Context): void => {
    switch (node.type) {
      case "If":
        expression(node.test, ctx);
        statements(node.body, guarded(ctx, definedWhen(node.test, false)));
        statements(node.alternate, guarded(ctx, definedWhen(node.test, true)));
        return;
      case "For": {
        const select = node.iterable.type === "SelectExpression" ? node.iterable : null;
        expression(select ? select.lhs : node.iterable, ctx);
        const iterated = iteratedIdentifier(node.iterable);
        const source =
          iterated && !ctx.scope.lookup(iterated.value) && !GLOBAL_NAMES.has(iterated.value) ? iterated : null;
        if (source) {
          const record = records.get(source.value);
          if (record) record.list = true;
          firstUse(listUses, source.value, source);
        }
        const scope = new Scope(ctx.scope);
        const loopCtx = { scope, guards: ctx.guards };
        if (node.loopvar.type === "Identifier") scope.bind(node.loopvar.value, { itemsOf: source?.value });
        else bindTargets(node.loopvar, loopCtx);
        scope.bind("loop");
        if (select) expression(select.test, loopCtx);
        statements(node.body, loopCtx);
        statements(node.defaultBlock, ctx);
        return;
      }
      case "Set":
        if (node.value) expression(node.value, ctx);
        else statements(node.body, ctx);
        bindTargets(node.assignee, ctx);
        return;
      case "Macro": {
        ctx.scope.bind(node.name.value);
        const scope = new Scope(ctx.scope);
        for (const arg of node.args) {
          if (arg.type === "KeywordArgumentExpression") {
            expression(arg.value, ctx);
            scope.bind(arg.key.value);
          } else {
            scope.bind(arg.value);
          }
        }
        for (const implicit of ["caller", "varargs", "kwargs"]) scope.bind(implicit);
        statements(node.body, { scope, guards: ctx.guards });
        return;
      }
      case "CallStatement": {
        expression(node.call, ctx);
        const scope = new Scope(ctx.scope);
        for (const arg of node.callerArgs ?? []) scope.bind(arg.type === "Identifier" ? arg.value : arg.key.value);
        statements(node.body, { scope, guards: ctx.guards });
        return;
      }
      case "FilterStatement":
        if (node.filter.type === "CallExpression") for (const arg of node.filter.args) expression(arg, ctx);
        statements(node.body, ctx);
        return;
      case "Program":
        statements(node.body, ctx);
        return;
      case "Comment":
      case "Break":
      case "Continue":
        return;
      default:
        expression(node, ctx);
    }
  };

  for (const { program } of compiled.sources) {
    statement(program, { scope: new Scope(), guards: new Set() });
  }

  const variables = [...records.values()]
    .sort((a, b) => compareOrder(a.order, b.order))
    .map(
      (r): DetectedVariable => ({
        name: r.name,
        kind: r.list ? "list" : r.object ? "object" : "scalar",
        required: r.required,
        fields: [...r.fields].sort(),
        position: r.position,
      }),
    );
  const positions = (map: Map<string, { position: SourcePosition }>) =>
    new Map([...map].map(([name, use]) => [name, use.position]));
  return { variables, listUses: positions(listUses), objectUses: positions(objectUses) };
}

export interface DetectOptions extends CompileOptions {}

/**
 * The free variables a prompt needs, in order of first use, with how each is used. Includes that are
 * resolved (see `resolveIncludes`) contribute their variables; unresolved ones are skipped. Loop
 * variables, `set` targets, macro parameters and the runtime's globals are not variables; for
 * `ex.input` inside `{% for ex in examples %}` the variable is `examples` (with field `input`).
 * Throws a VALIDATION DomainError when a template string does not parse.
 */
export function detectVariables(prompt: PromptInput, options: DetectOptions = {}): DetectedVariable[] {
  return inspectPrompt(prompt, options).variables;
}

/** detectVariables plus the include tags found (and whether each was resolved). */
export function inspectPrompt(
  prompt: PromptInput,
  options: DetectOptions = {},
): { variables: DetectedVariable[]; includes: IncludeUse[] } {
  const compiled = compilePrompt(prompt, options);
  const blocking = compiled.problems.filter((p) => p.kind === "syntax");
  if (blocking.length) throw problemsError(blocking);
  return { variables: analyzeVariables(compiled).variables, includes: compiled.includes };
}
