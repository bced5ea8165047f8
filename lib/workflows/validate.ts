// Parses and validates a workflow document (browser-safe: the editor calls it as you type, the server on save).
// Every error carries a 1-based line and column: YAML syntax first (nothing else is checked past a syntax error),
// then the JSON Schema of the document (ajv), each step's `with` (zod, per step type), triggers, `needs` (unknown
// ids, cycles), `if` expressions and every `${{ }}` reference (it must name an input, a trigger field or an
// upstream step's documented output).
import Ajv, { type ErrorObject } from "ajv";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { readCron } from "@/lib/schedules";
import { STEP_TYPES, type StepType, TRIGGER_FIELDS } from "./catalogue";
import { type ExpressionError, interpolations, parseExpression, referencesOf, unwrapCondition } from "./expressions";
import { Locator, type Path, type WorkflowError } from "./positions";
import {
  DEFAULT_STEP_TIMEOUT_SECONDS,
  documentJsonSchema,
  documentSchema,
  durationSeconds,
  type InputSpec,
  type StepDefinition,
  TRIGGER_SCHEMAS,
  type TriggerSpec,
  type WorkflowDefinition,
} from "./schema";

const ajv = new Ajv({ allErrors: true, strict: false });
const checkDocument = ajv.compile(documentJsonSchema);

export interface ValidationResult {
  definition: WorkflowDefinition | null;
  errors: WorkflowError[];
}

const MAX_SOURCE = 200_000;

export function validateWorkflow(source: string): ValidationResult {
  if (source.length > MAX_SOURCE)
    return {
      definition: null,
      errors: [{ line: 1, column: 1, message: `The document is longer than ${MAX_SOURCE} characters` }],
    };
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length)
    return {
      definition: null,
      errors: doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { line, column: col, message: `YAML syntax: ${e.message.split("\n")[0]}` };
      }),
    };
  const at = new Locator(doc, lines, source);
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { definition: null, errors: [at.error(0, "A workflow is a mapping with name, triggers, inputs and steps")] };
  if (!checkDocument(value)) return { definition: null, errors: dedupe(schemaErrors(at, checkDocument.errors ?? [])) };
  const raw = documentSchema.parse(value);
  const errors: WorkflowError[] = [];
  const triggers = readTriggers(at, raw.triggers ?? ["manual"], errors);
  const inputs = readInputs(at, raw.inputs ?? {}, errors);
  const steps = readSteps(at, raw.steps, errors);
  if (!Object.keys(raw.steps).length)
    errors.push(at.error(at.offset(["steps"]), "A workflow needs at least one step", ["steps"]));
  const order = topologicalOrder(at, steps, errors);
  if (order) checkExpressions(at, steps, inputs, order, errors);
  if (errors.length) return { definition: null, errors: sortErrors(errors) };
  return {
    definition: { name: raw.name, description: raw.description ?? "", triggers, inputs, steps, order: order ?? [] },
    errors: [],
  };
}

/** What a value given in one of several forms must be, by its property name (a union's errors say it badly). */
const FORMS: Record<string, string> = {
  timeout: "must be seconds or a duration like 30s, 10m, 2h, 1d",
  needs: "must be a step id or a list of step ids",
  if: "must be an expression or true/false",
  default: "must be a string, a number or a boolean",
};

/** One error per failed union (anyOf) instead of one per branch. */
function schemaErrors(at: Locator, errors: ErrorObject[]): WorkflowError[] {
  const unions = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  return errors
    .filter((e) => e.keyword === "anyOf" || !unions.has(e.instancePath))
    .map((e) => {
      if (e.keyword !== "anyOf") return schemaError(at, e);
      const path = pathOf(e);
      const last = String(path[path.length - 1] ?? "");
      return at.error(at.offset(path), `'${path.join(".")}' ${FORMS[last] ?? "has the wrong type"}`, path);
    });
}

const pathOf = (e: ErrorObject): Path =>
  e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));

function schemaError(at: Locator, e: ErrorObject): WorkflowError {
  const path = pathOf(e);
  const where = path.length ? `'${path.join(".")}'` : "The document";
  if (e.keyword === "additionalProperties") {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    return at.error(at.offset([...path, extra], true), `${where}: unknown property '${extra}'`, [...path, extra]);
  }
  if (e.keyword === "required") {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    return at.error(at.offset(path, path.length > 0), `${where}: '${missing}' is required`, path);
  }
  if (e.propertyName !== undefined)
    return at.error(
      at.offset([...path, e.propertyName], true),
      `'${e.propertyName}' is not a valid name (letters, digits and '_', starting with a letter or '_')`,
      [...path, e.propertyName],
    );
  return at.error(at.offset(path), `${where} ${e.message ?? "is invalid"}`, path);
}

function zodErrors(at: Locator, base: Path, error: z.ZodError, errors: WorkflowError[]) {
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as Path)];
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [];
    if (unknownKeys.length)
      for (const key of unknownKeys)
        errors.push(
          at.error(at.offset([...path, key], true), `'${path.join(".")}': unknown property '${key}'`, [...path, key]),
        );
    else errors.push(at.error(at.offset(path), `'${path.join(".")}': ${issue.message}`, path));
  }
}

function readTriggers(at: Locator, raw: (string | Record<string, unknown>)[], errors: WorkflowError[]): TriggerSpec[] {
  const out: TriggerSpec[] = [];
  for (const [i, item] of raw.entries()) {
    const path: Path = ["triggers", i];
    const [type, body] = typeof item === "string" ? [item, null] : (Object.entries(item)[0] ?? ["", null]);
    if (typeof item !== "string" && Object.keys(item).length !== 1) {
      errors.push(
        at.error(at.offset(path), "A trigger has exactly one of manual, schedule, new_version, label_moved", path),
      );
      continue;
    }
    if (!(type in TRIGGER_SCHEMAS)) {
      errors.push(
        at.error(
          at.offset(path, typeof item !== "string"),
          `Unknown trigger '${type}' (manual, schedule, new_version, label_moved)`,
          path,
        ),
      );
      continue;
    }
    const key = type as keyof typeof TRIGGER_SCHEMAS;
    if (typeof item === "string" && key !== "manual") {
      errors.push(at.error(at.offset(path), `The ${key} trigger needs settings`, path));
      continue;
    }
    const parsed = TRIGGER_SCHEMAS[key].safeParse(body);
    if (!parsed.success) {
      zodErrors(at, [...path, key], parsed.error, errors);
      continue;
    }
    const spec = { type: key, ...(parsed.data ?? {}) } as TriggerSpec;
    if (spec.type === "schedule") {
      try {
        readCron(spec.cron, spec.timezone);
      } catch (error) {
        errors.push(
          at.error(at.offset([...path, key, "cron"]), `Invalid cron: ${(error as Error).message}`, [
            ...path,
            key,
            "cron",
          ]),
        );
      }
    }
    if ((spec.type === "new_version" || spec.type === "label_moved") && Boolean(spec.prompt) === Boolean(spec.model))
      errors.push(
        at.error(at.offset([...path, key]), `The ${key} trigger names exactly one of prompt or model`, [...path, key]),
      );
    out.push(spec);
  }
  return out;
}

function readInputs(at: Locator, raw: Record<string, InputSpec>, errors: WorkflowError[]) {
  for (const [name, spec] of Object.entries(raw))
    if (spec.default !== undefined && typeof spec.default !== spec.type)
      errors.push(
        at.error(at.offset(["inputs", name, "default"]), `The default of '${name}' must be a ${spec.type}`, [
          "inputs",
          name,
          "default",
        ]),
      );
  return raw;
}

type RawStep = z.output<typeof documentSchema>["steps"][string];

function readSteps(at: Locator, raw: Record<string, RawStep>, errors: WorkflowError[]) {
  const steps: Record<string, StepDefinition> = {};
  for (const [id, step] of Object.entries(raw)) {
    const path: Path = ["steps", id];
    const catalogue = STEP_TYPES[step.uses as StepType];
    if (!catalogue || !Object.hasOwn(STEP_TYPES, step.uses)) {
      errors.push(
        at.error(
          at.offset([...path, "uses"]),
          `Unknown step type '${step.uses}' (${Object.keys(STEP_TYPES).join(", ")})`,
          [...path, "uses"],
        ),
      );
      continue;
    }
    const withParsed = catalogue.with.safeParse(step.with ?? {});
    if (!withParsed.success) zodErrors(at, [...path, "with"], withParsed.error, errors);
    const timeout = step.timeout === undefined ? DEFAULT_STEP_TIMEOUT_SECONDS : durationSeconds(step.timeout);
    if (!(timeout >= 1 && timeout <= 7 * 86_400))
      errors.push(
        at.error(at.offset([...path, "timeout"]), "A timeout is between 1 second and 7 days", [...path, "timeout"]),
      );
    steps[id] = {
      uses: step.uses as StepType,
      ...(step.name ? { name: step.name } : {}),
      with: (withParsed.data as Record<string, unknown>) ?? {},
      needs: step.needs === undefined ? [] : typeof step.needs === "string" ? [step.needs] : step.needs,
      if: step.if === undefined ? null : String(step.if),
      retry: { attempts: step.retry?.attempts ?? 1, backoffSeconds: step.retry?.backoffSeconds ?? 5 },
      timeoutSeconds: timeout,
    };
  }
  return steps;
}

const needsPath = (raw: Locator, id: string, i: number): Path => {
  const node = raw.node(["steps", id, "needs"]);
  return node && "items" in node ? ["steps", id, "needs", i] : ["steps", id, "needs"];
};

/** Unknown `needs` and cycles are errors; returns the steps in dependency order (null when there is a cycle). */
function topologicalOrder(
  at: Locator,
  steps: Record<string, StepDefinition>,
  errors: WorkflowError[],
): string[] | null {
  let ok = true;
  for (const [id, step] of Object.entries(steps))
    step.needs.forEach((need, i) => {
      const path = needsPath(at, id, i);
      if (need === id) {
        ok = false;
        errors.push(at.error(at.offset(path), `'${id}' cannot need itself`, path));
      } else if (!Object.hasOwn(steps, need)) {
        ok = false;
        errors.push(at.error(at.offset(path), `'${id}' needs '${need}', which is not a step`, path));
      }
    });
  if (!ok) return null;
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, trail: string[]): boolean => {
    if (state.get(id) === "done") return true;
    if (state.get(id) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const from = trail[trail.length - 1];
      const path = needsPath(at, from, steps[from].needs.indexOf(id));
      errors.push(at.error(at.offset(path), `'needs' forms a cycle: ${cycle.join(" → ")}`, path));
      return false;
    }
    state.set(id, "visiting");
    for (const need of steps[id].needs) if (!visit(need, [...trail, id])) return false;
    state.set(id, "done");
    order.push(id);
    return true;
  };
  for (const id of Object.keys(steps)) if (!visit(id, [])) return null;
  return order;
}

/** Every step's upstream (what it needs, transitively). */
function upstreamOf(steps: Record<string, StepDefinition>, order: string[]): Map<string, Set<string>> {
  const up = new Map<string, Set<string>>();
  for (const id of order) {
    const set = new Set<string>();
    for (const need of steps[id].needs) {
      set.add(need);
      for (const u of up.get(need) ?? []) set.add(u);
    }
    up.set(id, set);
  }
  return up;
}

function checkExpressions(
  at: Locator,
  steps: Record<string, StepDefinition>,
  inputs: Record<string, InputSpec>,
  order: string[],
  errors: WorkflowError[],
) {
  const upstream = upstreamOf(steps, order);
  const checkRefs = (id: string, text: string, path: Path, index: number) => {
    let expr: ReturnType<typeof parseExpression>;
    try {
      expr = parseExpression(text);
    } catch (error) {
      const e = error as ExpressionError;
      errors.push(at.error(at.offsetInValue(path, index + (e.index ?? 0)), `Invalid expression: ${e.message}`, path));
      return;
    }
    for (const ref of referencesOf(expr)) {
      const problem = referenceProblem(ref, id, steps, inputs, upstream.get(id) ?? new Set());
      if (problem)
        errors.push(at.error(at.offsetInValue(path, index + Math.max(0, text.indexOf(ref[0]))), problem, path));
    }
  };
  for (const id of order) {
    const step = steps[id];
    if (step.if !== null) {
      const { text, offset } = unwrapCondition(step.if);
      checkRefs(id, text, ["steps", id, "if"], offset);
    }
    walkStrings(step.with, ["steps", id, "with"], (value, path) => {
      for (const span of interpolations(value)) {
        if (span.end < 0)
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression syntax, not a JS template
          errors.push(at.error(at.offsetInValue(path, span.start), "'${{' is not closed by '}}'", path));
        else checkRefs(id, span.text, path, span.start + 3);
      }
    });
  }
}

function walkStrings(value: unknown, path: Path, visit: (value: string, path: Path) => void) {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) walkStrings(v, [...path, i], visit);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) walkStrings(v, [...path, k], visit);
}

function referenceProblem(
  ref: string[],
  stepId: string,
  steps: Record<string, StepDefinition>,
  inputs: Record<string, InputSpec>,
  upstream: Set<string>,
): string | null {
  const [root, name, kind, output] = ref;
  const dotted = ref.join(".");
  if (root === "inputs")
    return name && Object.hasOwn(inputs, name) && ref.length === 2 ? null : `'${dotted}': no such input`;
  if (root === "trigger")
    return ref.length === 2 && (TRIGGER_FIELDS as readonly string[]).includes(name)
      ? null
      : `'${dotted}': the trigger has ${TRIGGER_FIELDS.join(", ")}`;
  if (root !== "steps") return `'${dotted}': a reference starts with steps, inputs or trigger`;
  if (!name || !Object.hasOwn(steps, name)) return `'${dotted}': there is no step '${name ?? ""}'`;
  if (name === stepId) return `'${dotted}': a step cannot read its own outputs`;
  if (!upstream.has(name)) return `'${dotted}': '${name}' is not upstream of '${stepId}' (add it to needs)`;
  if (kind === "status" && ref.length === 3) return null;
  if (kind !== "outputs" || !output) return `'${dotted}': use steps.${name}.outputs.<name> or steps.${name}.status`;
  const outputs = STEP_TYPES[steps[name].uses].outputs as readonly string[];
  if (!outputs.includes(output)) return `'${dotted}': a ${steps[name].uses} step's outputs are ${outputs.join(", ")}`;
  return null;
}

function dedupe(errors: WorkflowError[]): WorkflowError[] {
  const seen = new Set<string>();
  return sortErrors(
    errors.filter((e) => {
      const key = `${e.line}:${e.column}:${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
}

const sortErrors = (errors: WorkflowError[]) => [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
