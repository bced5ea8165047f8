import { Environment, Interpreter } from "@huggingface/jinja";
import { DomainError } from "@/server/errors";
import { bodies, children, type IdentifierNode, isStatement, type Node } from "./ast";
import { type CompiledPrompt, type CompiledSource, type CompileOptions, compilePrompt } from "./compile";
import { ProblemError, problemsError, type TemplateProblem } from "./problems";
import type { PromptInput } from "./prompt";
import type { ChatRole, PromptVariables } from "./schemas";
import { compareOrder, describeWhere, excerpt, positionAt } from "./source";
import { analyzeVariables, GLOBAL_NAMES, type VariableAnalysis } from "./variables";

export type RenderedPrompt =
  | { type: "text"; text: string }
  | { type: "chat"; messages: { role: ChatRole; content: string }[] };

export interface RenderOptions extends CompileOptions {
  /** Stop a runaway template (huge loops) after this many evaluation steps (default 1,000,000). */
  maxSteps?: number;
  /**
   * Refuse (UNPROCESSABLE) a render whose output, summed over all template strings, would pass this many
   * characters, or that builds a single value that long (default 1,000,000).
   */
  maxOutputChars?: number;
  /** Refuse (UNPROCESSABLE) a render still running after this many milliseconds (default: no limit). */
  maxMillis?: number;
}

const DEFAULT_MAX_STEPS = 1_000_000;
const DEFAULT_MAX_OUTPUT_CHARS = 1_000_000;
const MAX_RANGE = 10_000;

type Evaluated = ReturnType<Interpreter["evaluate"]>;
type Evaluable = Parameters<Interpreter["evaluate"]>[0];

/**
 * Renders a prompt strictly: every problem is a VALIDATION DomainError, and nothing is returned unless
 * every template string rendered. Checked before rendering: syntax, includes, unknown filters and
 * tests (even in branches that would not run), missing required variables, variables of the wrong
 * shape (a string where a list is looped over). While rendering: printing an undefined value
 * (`{{ ex.inptu }}`), a filter applied to the wrong type, and the library's own runtime errors, each
 * with the position of the expression.
 *
 * The library itself renders an unknown variable as an empty string and has no positions, which is
 * why the checks are done here, on the AST, and runtime errors are traced back to nodes by
 * `StrictInterpreter`.
 */
export function renderPrompt(
  prompt: PromptInput,
  variables: PromptVariables,
  options: RenderOptions = {},
): RenderedPrompt {
  const deadline = options.maxMillis === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.maxMillis;
  const compiled = compilePrompt(prompt, options);
  const problems = [...compiled.problems, ...compiled.unresolved];
  if (problems.length) throw problemsError(problems);
  const analysis = analyzeVariables(compiled);
  const inputProblems = checkVariables(analysis, variables);
  if (inputProblems.length) throw problemsError(inputProblems);

  const output: OutputBudget = { left: options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS, limit: 0 };
  output.limit = output.left;
  const outputs = compiled.sources.map((source) =>
    renderSource(compiled, source, variables, options, output, deadline),
  );
  if (compiled.content.type === "text") return { type: "text", text: outputs[0] };
  const messages = compiled.content.template;
  return { type: "chat", messages: messages.map((m, i) => ({ role: m.role, content: outputs[i] })) };
}

const TYPE_NAMES: Record<string, string> = {
  StringValue: "a string",
  IntegerValue: "an integer",
  FloatValue: "a number",
  BooleanValue: "a boolean",
  ArrayValue: "a list",
  TupleValue: "a tuple",
  ObjectValue: "an object",
  KeywordArgumentsValue: "keyword arguments",
  NamespaceValue: "a namespace",
  FunctionValue: "a function",
  NullValue: "null",
  UndefinedValue: "undefined",
};

function jsTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function checkVariables(analysis: VariableAnalysis, variables: PromptVariables): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const name of Object.keys(variables)) {
    if (GLOBAL_NAMES.has(name)) {
      problems.push({
        kind: "type",
        path: `variables.${name}`,
        message: `"${name}" is a reserved name in templates and cannot be passed as a variable`,
      });
    }
  }
  for (const variable of analysis.variables) {
    const value = variables[variable.name];
    if (value === undefined) {
      if (variable.required) {
        problems.push({
          kind: "variable",
          path: `variables.${variable.name}`,
          message: `Missing variable "${variable.name}"`,
          position: variable.position,
        });
      }
      continue;
    }
    const listUse = analysis.listUses.get(variable.name);
    if (listUse && (value === null || typeof value !== "object")) {
      problems.push({
        kind: "type",
        path: `variables.${variable.name}`,
        message: `"${variable.name}" must be a list: it is looped over at ${describeWhere(listUse)}, but got ${jsTypeName(value)}`,
      });
      continue;
    }
    const objectUse = analysis.objectUses.get(variable.name);
    if (!listUse && objectUse && (value === null || typeof value !== "object")) {
      const field = variable.fields[0];
      problems.push({
        kind: "type",
        path: `variables.${variable.name}`,
        message: `"${variable.name}" must be an object: its attributes${field ? ` (like "${field}")` : ""} are read at ${describeWhere(objectUse)}, but got ${jsTypeName(value)}`,
      });
    }
  }
  return problems;
}

function setupGlobals(env: Environment): void {
  env.set("false", false);
  env.set("true", true);
  env.set("none", null);
  env.set("False", false);
  env.set("True", true);
  env.set("None", null);
  env.set("raise_exception", (message: unknown) => {
    throw new TemplateRaised(String(message));
  });
  env.set("range", (start: number, stop?: number, step = 1) => {
    const [from, to] = stop === undefined ? [0, start] : [start, stop];
    if (![from, to, step].every(Number.isInteger)) throw new Error("range() takes integers");
    if (step === 0) throw new Error("range() step must not be zero");
    const count = Math.max(0, Math.ceil((to - from) / step));
    if (count > MAX_RANGE) throw new Error(`range() of ${count} items is more than the ${MAX_RANGE} allowed`);
    return Array.from({ length: count }, (_, i) => from + i * step);
  });
}

/** Characters a render may still produce; shared by every template string of a prompt. */
interface OutputBudget {
  left: number;
  limit: number;
}

/** The output cap was hit: a limit, not a template mistake, so it leaves as UNPROCESSABLE, not as a problem. */
class OutputLimitError extends Error {}

/** The time limit was hit (checked every few hundred steps, so a render stops within a step or so of it). */
class TimeLimitError extends Error {}

function timeLimitError(limitMs: number): DomainError {
  const message = `Rendering took more than ${limitMs.toLocaleString("en-US")} ms (the time limit)`;
  return new DomainError("UNPROCESSABLE", message, [{ path: "template", message }]);
}

function outputLimitError(path: string, limit: number): DomainError {
  const message = `The template rendered more than ${limit.toLocaleString("en-US")} characters (the output limit)`;
  return new DomainError("UNPROCESSABLE", message, [{ path, message }]);
}

/** `raise_exception("…")` in a template: the author's own message. */
class TemplateRaised extends Error {}

/** Raised by StrictInterpreter; `node` is the expression at fault. */
class StrictError extends Error {
  constructor(
    message: string,
    readonly node: Node,
  ) {
    super(message);
  }
}

/**
 * The library's interpreter, made strict and traceable: `evaluate` is its one public, recursive entry
 * point, so overriding it sees every node. It records, on each error passing through, the nodes it
 * unwinds (innermost first) so the error can be placed; refuses to print an undefined value; and
 * turns the library's "no value" results (`[] | first` yields a bare `undefined`, which then crashes
 * it with a TypeError) into errors.
 */
class StrictInterpreter extends Interpreter {
  private steps = 0;

  constructor(
    env: Environment,
    private readonly printed: WeakSet<object>,
    private readonly emitted: WeakSet<object>,
    private readonly iterables: WeakSet<object>,
    private readonly trail: WeakMap<object, Node[]>,
    private readonly maxSteps: number,
    private readonly output: OutputBudget,
    private readonly deadline: number,
  ) {
    super(env);
  }

  override evaluate(statement: Evaluable, environment: Environment): Evaluated {
    if ((this.steps & 31) === 0 && performance.now() > this.deadline) throw new TimeLimitError();
    if (++this.steps > this.maxSteps) this.tooManySteps(statement);
    let result: Evaluated;
    try {
      result = super.evaluate(statement, environment);
    } catch (error) {
      if (statement && typeof error === "object" && error !== null) {
        const nodes = this.trail.get(error) ?? [];
        nodes.push(statement as unknown as Node);
        this.trail.set(error, nodes);
      }
      throw error;
    }
    if (!statement) return result;
    const node = statement as unknown as Node;
    if (result === undefined) {
      throw new StrictError(
        `"${describeExpression(node)}" has no value (e.g. "first" or "last" of an empty list)`,
        node,
      );
    }
    if (result.type === "UndefinedValue" && this.printed.has(statement)) {
      throw new StrictError(`"${describeExpression(node)}" is undefined`, node);
    }
    this.spend(statement, result);
    // A loop's iterations cost steps even when its body is empty (no evaluate call per iteration): charge them
    // when the iterable is known, so nested empty loops (10,000 × 10,000 iterations) hit the cap at once.
    if (this.iterables.has(statement)) {
      const value = result.value as unknown;
      if (Array.isArray(value) || typeof value === "string") this.steps += value.length;
      else if (value instanceof Map) this.steps += value.size;
      if (this.steps > this.maxSteps) this.tooManySteps(statement);
    }
    return result;
  }

  private tooManySteps(statement: Evaluable): never {
    throw new StrictError(
      `Rendering took more than ${this.maxSteps} steps (a runaway loop?)`,
      statement as unknown as Node,
    );
  }

  /**
   * Output is bounded while it is produced, not after: every piece a body emits (text, printed values) is
   * charged once, so a loop cannot pile up gigabytes before the cap is seen. Captured output (`set` blocks,
   * macro results) is charged again where it is printed, which only errs on the safe side. Any string value
   * longer than the cap is refused too, printed or not (`"x" * 10**9`).
   */
  private spend(statement: object, result: Evaluated) {
    const length = result.type === "StringValue" ? (result.value as string).length : -1;
    if (length > this.output.limit) throw new OutputLimitError();
    if (!this.emitted.has(statement)) return;
    if (result.type === "NullValue" || result.type === "UndefinedValue") return;
    this.output.left -= length >= 0 ? length : result.toString().length;
    if (this.output.left < 0) throw new OutputLimitError();
  }
}

/**
 * `printed`: expressions whose value is printed (directly in a body) and must not be undefined; `x if c`
 * may print nothing by design, and text is never undefined. `emitted`: everything a body outputs (text
 * included), which the output cap charges.
 */
function bodyExpressions(program: Node): { printed: WeakSet<object>; emitted: WeakSet<object> } {
  const printed = new WeakSet<object>();
  const emitted = new WeakSet<object>();
  const mark = (list: Node[]) => {
    for (const node of list) {
      if (isStatement(node)) for (const body of bodies(node)) mark(body);
      else {
        emitted.add(node);
        if (node.type !== "SelectExpression" && node.type !== "StringLiteral") printed.add(node);
      }
    }
  };
  mark([program]);
  return { printed, emitted };
}

/** The iterable of every `for` loop, at any depth. */
function loopIterables(program: Node): WeakSet<object> {
  const iterables = new WeakSet<object>();
  const visit = (node: Node) => {
    if (node.type === "For") iterables.add(node.iterable);
    for (const child of children(node)) visit(child);
  };
  visit(program);
  return iterables;
}

/** A short rendering of an expression for messages: `ex.input`, `xs[0]`, `name | upper`. */
function describeExpression(node: Node): string {
  switch (node.type) {
    case "Identifier":
      return node.value;
    case "MemberExpression": {
      const object = describeExpression(node.object);
      const p = node.property;
      if (!node.computed) return `${object}.${p.type === "Identifier" || p.type === "IntegerLiteral" ? p.value : "…"}`;
      if (p.type === "StringLiteral") return `${object}["${p.value}"]`;
      if (p.type === "IntegerLiteral" || p.type === "Identifier") return `${object}[${p.value}]`;
      return `${object}[…]`;
    }
    case "FilterExpression": {
      const filter = node.filter.type === "CallExpression" ? node.filter.callee : node.filter;
      return `${describeExpression(node.operand)} | ${filter.type === "Identifier" ? filter.value : "…"}`;
    }
    case "CallExpression":
      return `${describeExpression(node.callee)}(…)`;
    case "StringLiteral":
      return JSON.stringify(node.value);
    case "IntegerLiteral":
    case "FloatLiteral":
      return String(node.value);
    default:
      return "expression";
  }
}

/** The part of a node an error is best shown at. */
function anchor(node: Node): Node {
  switch (node.type) {
    case "For":
      return node.iterable;
    case "If":
      return node.test;
    case "Set":
      return node.value ?? node.assignee;
    case "Macro":
      return node.name;
    case "CallStatement":
      return node.call;
    case "FilterStatement":
      return node.filter;
    case "FilterExpression":
      return node.filter;
    default:
      return node;
  }
}

function renderSource(
  compiled: CompiledPrompt,
  { source, program }: CompiledSource,
  variables: PromptVariables,
  options: RenderOptions,
  output: OutputBudget,
  deadline: number,
): string {
  const env = new Environment();
  setupGlobals(env);
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) continue;
    try {
      env.set(name, value);
    } catch {
      const message = `"${name}" cannot be used in a template (${jsTypeName(value)} inside)`;
      throw problemsError([{ kind: "type", path: `variables.${name}`, message }]);
    }
  }
  const trail = new WeakMap<object, Node[]>();
  const { printed, emitted } = bodyExpressions(program);
  const interpreter = new StrictInterpreter(
    env,
    printed,
    emitted,
    loopIterables(program),
    trail,
    options.maxSteps ?? DEFAULT_MAX_STEPS,
    output,
    deadline,
  );
  try {
    const result = interpreter.run(program as unknown as Parameters<Interpreter["run"]>[0]);
    return String(result.value);
  } catch (error) {
    if (error instanceof OutputLimitError) throw outputLimitError(source.path, output.limit);
    if (error instanceof TimeLimitError) throw timeLimitError(options.maxMillis ?? 0);
    const nodes =
      error instanceof StrictError ? [error.node, ...(trail.get(error) ?? [])] : (trail.get(error as object) ?? []);
    throw problemsError([runtimeProblem(compiled, source.path, error, nodes)]);
  }
}

function firstLocated(compiled: CompiledPrompt, node: Node): IdentifierNode | null {
  let best: { node: IdentifierNode; order: number[] } | null = null;
  const visit = (n: Node) => {
    if (n.type === "Identifier") {
      const location = compiled.locations.get(n);
      if (location) {
        const order = [...location.source.orderPrefix, location.offset];
        if (!best || compareOrder(order, best.order) < 0) best = { node: n, order };
      }
      return;
    }
    for (const child of children(n)) visit(child);
  };
  visit(node);
  return (best as { node: IdentifierNode } | null)?.node ?? null;
}

function runtimeProblem(compiled: CompiledPrompt, path: string, error: unknown, nodes: Node[]): TemplateProblem {
  if (error instanceof ProblemError) return error.problem;
  const raw = error instanceof Error ? error.message : String(error);
  let message = raw;
  const forLoop = nodes.find((n) => n.type === "For");
  const notIterable = /^Expected iterable or object type in for loop: got (\w+)$/.exec(raw);
  const badFilter = /^(?:Unknown (\w+) filter: (\w+)|Cannot apply filter "(\w+)" to type: (\w+))$/.exec(raw);
  if (notIterable && forLoop?.type === "For") {
    message = `Cannot loop over "${describeExpression(forLoop.iterable)}": it is ${TYPE_NAMES[notIterable[1]] ?? notIterable[1]}, not a list`;
  } else if (badFilter) {
    const type = badFilter[1] ?? badFilter[4];
    const filter = badFilter[2] ?? badFilter[3];
    const typeName = TYPE_NAMES[type] ?? (type === "NumericValue" ? "a number" : type);
    message = `Filter "${filter}" cannot be applied to ${typeName}`;
  } else if (error instanceof TemplateRaised) {
    message = `The template raised an error: ${raw}`;
  }
  for (const node of nodes) {
    const located = firstLocated(compiled, anchor(node));
    const location = located && compiled.locations.get(located);
    if (location) {
      return {
        kind: "render",
        path,
        message,
        position: positionAt(location.source, location.offset),
        excerpt: excerpt(location.source, location.offset),
      };
    }
  }
  return { kind: "render", path, message };
}
