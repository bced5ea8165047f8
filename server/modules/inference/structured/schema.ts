import { DomainError } from "@/server/errors";
import { compilePatterns, FORMATS, type PatternAutomaton } from "./pattern";

/**
 * A JSON schema compiled into the nodes the recognizer walks. Objects are written in the schema's property order
 * (as OpenAI's structured outputs do), compact (no whitespace), strings and numbers bounded in length.
 */
export type SchemaNode = { id: number } & (
  | { kind: "object"; props: ObjectProp[] }
  /** Any keys, values of `values` (json_object). */
  | { kind: "freeObject"; values: SchemaNode }
  | { kind: "array"; items: SchemaNode; min: number; max: number }
  | { kind: "string"; min: number; max: number }
  /** A string with a pattern or format (pattern.ts): its characters walk the automaton. */
  | { kind: "pattern"; automaton: PatternAutomaton; max: number }
  /** Fixed JSON texts: enum, const, true/false/null. */
  | { kind: "literals"; values: string[] }
  | {
      kind: "number";
      integer: boolean;
      /** From minimum / exclusiveMinimum: no '-' (>= 0), or for integers also no leading 0 (>= 1). */
      lower: "none" | "nonNegative" | "positive";
    }
  | { kind: "anyOf"; options: SchemaNode[] }
  /** Fixed text and values in a row (a tool call: tag, JSON object, closing tag). */
  | { kind: "seq"; parts: (string | SchemaNode)[] }
);

/** A node's fields without its id. */
export type NodeFields = SchemaNode extends infer N ? (N extends SchemaNode ? Omit<N, "id"> : never) : never;

interface ObjectProp {
  /** `"name":` as written, the opening quote included. */
  key: string;
  node: SchemaNode;
  required: boolean;
}

/** A string with no maxLength still ends: a model must not write forever inside one. */
const DEFAULT_MAX_STRING = 512;
/** Longest number text (sign, digits, fraction, exponent): about what a double holds exactly. */
export const MAX_NUMBER_LENGTH = 16;
/** Longest integer text: 15 characters keep every integer exact in a double (below 2^53), the sign included. */
export const MAX_INTEGER_LENGTH = 15;
/** Strings in json_object and untyped values (no schema bounds them), and their keys. */
const FREE_STRING_MAX = 128;
export const FREE_KEY_MAX = 64;
/** json_object and untyped values nest at most this deep. */
const MAX_FREE_DEPTH = 8;

/** Keywords that describe but do not constrain. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
  "$defs",
  "definitions",
  "strict",
]);
const HANDLED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "$ref",
  "maxLength",
  "minLength",
  "pattern",
  "format",
  // Numeric bounds: only those the grammar enforces exactly (see numberBounds); the rest are refused.
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
]);

/** The largest integer the grammar can write (MAX_INTEGER_LENGTH digits), and the most negative (one less). */
const LARGEST_INTEGER = 10 ** MAX_INTEGER_LENGTH - 1;
const SMALLEST_INTEGER = -(10 ** (MAX_INTEGER_LENGTH - 1) - 1);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Node ids key recognizer states: unique across compilers (a tool call joins several tools' schemas). */
let nextId = 0;

export class SchemaCompiler {
  private readonly memo = new Map<object, SchemaNode>();
  /** Any value at each nesting depth, made once. */
  private readonly anyAt: SchemaNode[] = [];

  constructor(
    private readonly root: Json,
    /** Strict: a keyword we cannot enforce is a 400; otherwise it is ignored (best effort). */
    private readonly strict: boolean,
    /** Where the schema sits in the request, for error paths (`response_format.json_schema.schema`). */
    private readonly where: string,
  ) {}

  node(fields: NodeFields): SchemaNode {
    return { id: nextId++, ...fields } as SchemaNode;
  }

  compile(schema: unknown = this.root, path = ""): SchemaNode {
    if (schema === true || (isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k))))
      return this.any(0);
    if (!isObject(schema)) throw this.refuse(path, "a schema must be an object");
    const known = this.memo.get(schema);
    if (known) return known;
    for (const keyword of Object.keys(schema))
      if (!ANNOTATIONS.has(keyword) && !HANDLED.has(keyword) && this.strict)
        throw this.refuse(`${path}/${keyword}`, `'${keyword}' is not supported for local models`);
    // Filled in place so that recursive $refs point at it.
    const node = { id: nextId++ } as SchemaNode;
    this.memo.set(schema, node);
    Object.assign(node, this.build(schema, path));
    return node;
  }

  private build(s: Json, path: string): NodeFields {
    // An alias (one-option anyOf): the target may still be being built when the reference is recursive.
    if (typeof s.$ref === "string")
      return { kind: "anyOf", options: [this.compile(this.resolve(s.$ref, path), `${path}/$ref`)] };
    if ("const" in s) return { kind: "literals", values: [JSON.stringify(s.const)] };
    if (Array.isArray(s.enum)) {
      if (s.enum.length === 0) throw this.refuse(`${path}/enum`, "enum is empty");
      return { kind: "literals", values: s.enum.map((v) => JSON.stringify(v)) };
    }
    const alternatives = (s.anyOf ?? s.oneOf) as unknown;
    if (Array.isArray(alternatives)) {
      const key = s.anyOf ? "anyOf" : "oneOf";
      return { kind: "anyOf", options: alternatives.map((alt, i) => this.compile(alt, `${path}/${key}/${i}`)) };
    }
    if (Array.isArray(s.type))
      return { kind: "anyOf", options: s.type.map((t) => this.compile({ ...s, type: t }, `${path}/type`)) };
    switch (s.type) {
      case "object":
        return this.object(s, path);
      case "array": {
        const min = typeof s.minItems === "number" ? s.minItems : 0;
        const max = typeof s.maxItems === "number" ? s.maxItems : Number.POSITIVE_INFINITY;
        if (min > max) throw this.refuse(`${path}/minItems`, "minItems is above maxItems");
        const items = s.items === undefined ? this.any(1) : this.compile(s.items, `${path}/items`);
        return { kind: "array", items, min, max };
      }
      case "string": {
        const min = typeof s.minLength === "number" ? s.minLength : 0;
        const max = Math.min(typeof s.maxLength === "number" ? s.maxLength : DEFAULT_MAX_STRING, DEFAULT_MAX_STRING);
        if (min > max) throw this.refuse(`${path}/minLength`, `minLength is above ${max}`);
        const patterned = this.patterned(s, path, min, max);
        return patterned ? { kind: "pattern", automaton: patterned, max } : { kind: "string", min, max };
      }
      case "number":
      case "integer":
        return { kind: "number", integer: s.type === "integer", lower: this.numberBounds(s, path) };
      case "boolean":
        return { kind: "literals", values: ["true", "false"] };
      case "null":
        return { kind: "literals", values: ["null"] };
      case undefined:
        return { kind: "anyOf", options: [this.any(0)] };
      default:
        throw this.refuse(`${path}/type`, `type '${String(s.type)}' is not a JSON schema type`);
    }
  }

  /**
   * A string's `pattern` and `format` as one automaton (pattern.ts), or null when it has neither. A format the
   * grammar cannot write, or a pattern it cannot build, is a 400 under strict and ignored otherwise.
   */
  private patterned(s: Json, path: string, min: number, max: number): PatternAutomaton | null {
    const sources: string[] = [];
    let where = `${path}/pattern`;
    if (typeof s.format === "string") {
      const source = FORMATS[s.format];
      if (source) sources.push(source);
      else if (this.strict)
        throw this.refuse(
          `${path}/format`,
          `format '${s.format}' is not supported for local models (supported: ${Object.keys(FORMATS).join(", ")})`,
        );
      where = `${path}/format`;
    }
    if (typeof s.pattern === "string") {
      sources.push(s.pattern);
      where = `${path}/pattern`;
    }
    if (sources.length === 0) return null;
    const automaton = compilePatterns(sources, min, max);
    if (typeof automaton !== "string") return automaton;
    if (this.strict) throw this.refuse(where, automaton);
    return null;
  }

  /**
   * Numeric bounds the grammar enforces exactly: a lower bound of 0 (no minus sign), for integers also 1 (no
   * leading zero), and bounds an integer this short cannot pass anyway (zod's `.int()` writes the safe-integer
   * range). Any other bound is refused under strict (ignored otherwise): a digit-by-digit range check is not built.
   */
  private numberBounds(s: Json, path: string): "none" | "nonNegative" | "positive" {
    const integer = s.type === "integer";
    const num = (key: string) => (typeof s[key] === "number" ? (s[key] as number) : null);
    let lower: "none" | "nonNegative" | "positive" = "none";
    const min = num("minimum");
    const exclusiveMin = num("exclusiveMinimum");
    const max = num("maximum");
    const exclusiveMax = num("exclusiveMaximum");
    const unenforceable = (key: string) => {
      if (this.strict) throw this.refuse(`${path}/${key}`, `'${key}' ${s[key]} is not supported for local models`);
    };
    // The tightest lower bound as an inclusive one (integers) or as written (numbers).
    for (const [key, value, exclusive] of [
      ["minimum", min, false],
      ["exclusiveMinimum", exclusiveMin, true],
    ] as const) {
      if (value === null) continue;
      const inclusive = integer && exclusive ? Math.floor(value) + 1 : value;
      if (integer && inclusive <= SMALLEST_INTEGER) continue;
      if (!exclusive && value === 0) lower = lower === "positive" ? lower : "nonNegative";
      else if (integer && inclusive === 1) lower = "positive";
      else if (integer && inclusive === 0) lower = lower === "positive" ? lower : "nonNegative";
      else unenforceable(key);
    }
    for (const [key, value] of [
      ["maximum", max],
      ["exclusiveMaximum", exclusiveMax],
    ] as const) {
      if (value === null) continue;
      if (!(integer && value >= LARGEST_INTEGER)) unenforceable(key);
    }
    return lower;
  }

  private object(s: Json, path: string): NodeFields {
    const properties = isObject(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    if (s.additionalProperties !== undefined && s.additionalProperties !== false && this.strict)
      throw this.refuse(`${path}/additionalProperties`, "must be false for local models (strict)");
    if (Object.keys(properties).length === 0 && s.additionalProperties !== false)
      return { kind: "freeObject", values: this.any(1) };
    for (const name of required)
      if (!(name in properties)) throw this.refuse(`${path}/required`, `'${name}' is required but not a property`);
    const props = Object.entries(properties).map(([name, schema]) => ({
      key: `${JSON.stringify(name)}:`,
      node: this.compile(schema, `${path}/properties/${name}`),
      required: required.has(name),
    }));
    return { kind: "object", props };
  }

  /** Any JSON value (untyped schemas, json_object's values), nesting bounded by MAX_FREE_DEPTH. */
  any(depth: number): SchemaNode {
    const made = this.anyAt[depth];
    if (made) return made;
    const scalars: SchemaNode[] = [
      this.node({ kind: "string", min: 0, max: FREE_STRING_MAX }),
      this.node({ kind: "number", integer: false, lower: "none" }),
      this.node({ kind: "literals", values: ["true", "false", "null"] }),
    ];
    const inner = depth >= MAX_FREE_DEPTH ? null : this.any(depth + 1);
    const options = inner
      ? [
          ...scalars,
          this.node({ kind: "freeObject", values: inner }),
          this.node({ kind: "array", items: inner, min: 0, max: Number.POSITIVE_INFINITY }),
        ]
      : scalars;
    const node = this.node({ kind: "anyOf", options });
    this.anyAt[depth] = node;
    return node;
  }

  private resolve(ref: string, path: string): unknown {
    if (!ref.startsWith("#"))
      throw this.refuse(`${path}/$ref`, `only local references (#/...) are supported: '${ref}'`);
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split("/").filter(Boolean)) {
      const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isObject(target) ? target[part] : undefined;
    }
    if (target === undefined) throw this.refuse(`${path}/$ref`, `'${ref}' points nowhere`);
    return target;
  }

  refuse(path: string, why: string): DomainError {
    const field = `${this.where}${path.replace(/\//g, ".")}`;
    return new DomainError("VALIDATION", `${field}: ${why}`, [{ path: field, message: why }]);
  }
}
