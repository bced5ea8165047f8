// JSON evaluators: json_valid, json_schema (ajv 8 + ajv-formats; patterns in RE2), json_path (lib/evals/json-path).
import { createHash } from "node:crypto";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { EvaluatorConfig } from "@/lib/evals/evaluators";
import { parseJsonPath, readJsonPath } from "@/lib/evals/json-path";
import { compileUserPattern } from "@/lib/regex";
import { canonicalJson } from "@/server/modules/datasets/core/canonical";
import type { EvalSample } from "../types";
import { EvaluatorInputError, quote, type RawScore } from "./common";

/** Outputs longer than this are not parsed (a model answer of megabytes is a failure to report, not to parse). */
const MAX_JSON_CHARS = 1_000_000;

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The output as JSON; a fenced ```json block around it is accepted (models often add one). */
function parseOutputJson(output: string): Parsed {
  if (output.length > MAX_JSON_CHARS)
    return { ok: false, error: `the output is longer than ${MAX_JSON_CHARS.toLocaleString("en-US")} characters` };
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(output);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1] : output) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message.slice(0, 200)}` };
  }
}

export function jsonValid(_config: unknown, sample: EvalSample): RawScore {
  const parsed = parseOutputJson(sample.output);
  return parsed.ok ? { score: 1, reason: "valid JSON" } : { score: 0, reason: parsed.error };
}

/**
 * `pattern` keywords run in RE2 like every other user pattern (ajv's default is JavaScript's backtracking
 * RegExp, which a schema's author could make run for minutes on a crafted output).
 */
const re2Engine = Object.assign(
  (pattern: string, _flags: string) => {
    const compiled = compileUserPattern(pattern, "");
    // ajv keys its compiled patterns by toString(): each must name its own pattern.
    return { test: (s: string) => compiled.test(s), toString: () => `re2:${pattern}` };
  },
  { code: "re2js" },
);

function newAjv() {
  const ajv = new Ajv2020({ allErrors: false, strict: false, code: { regExp: re2Engine }, loadSchema: undefined });
  addFormats(ajv);
  return ajv;
}

type Validate = ReturnType<ReturnType<typeof newAjv>["compile"]>;

// One compiled validator per schema (keyed by its canonical JSON's hash): an evaluator version's schema is compiled
// once, not per case. Bounded: a process that sees many ad-hoc schemas ("Try it") starts over.
const compiled = new Map<string, Validate>();
let ajv: ReturnType<typeof newAjv> | null = null;

/** Compiles a schema (cached); throws an Error naming what is wrong with it. */
export function compileSchema(schema: unknown): Validate {
  const key = createHash("sha256").update(canonicalJson(schema)).digest("hex");
  const hit = compiled.get(key);
  if (hit) return hit;
  ajv ??= newAjv();
  let validate: Validate;
  try {
    validate = ajv.compile(schema as object);
  } catch (error) {
    throw new Error(`not a valid JSON Schema: ${(error as Error).message.slice(0, 300)}`);
  } finally {
    // The instance keeps schemas by $id; compile each on its own so two versions with one $id do not clash.
    ajv.removeSchema();
  }
  if (compiled.size >= 500) compiled.clear();
  compiled.set(key, validate);
  return validate;
}

export function jsonSchema(config: EvaluatorConfig<"json_schema">, sample: EvalSample): RawScore {
  const parsed = parseOutputJson(sample.output);
  if (!parsed.ok) return { score: 0, reason: parsed.error };
  const validate = compileSchema(config.schema);
  if (validate(parsed.value)) return { score: 1, reason: "valid against the schema" };
  const first = validate.errors?.[0];
  const where = first?.instancePath || "(root)";
  return { score: 0, reason: `invalid at ${where}: ${first?.message ?? "does not match the schema"}` };
}

/** A string expected output that is JSON is compared as that JSON ("42" equals 42); other strings as strings. */
function asJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function jsonPath(config: EvaluatorConfig<"json_path">, sample: EvalSample): RawScore {
  const parsed = parseOutputJson(sample.output);
  if (!parsed.ok) return { score: 0, reason: parsed.error };
  const found = readJsonPath(parsed.value, parseJsonPath(config.path));
  if (!found.found) return { score: 0, reason: `${found.missing} is not in the output` };
  let target = config.value;
  if (config.useExpected) {
    if (sample.expected === undefined || sample.expected === null)
      throw new EvaluatorInputError("the case has no expected output to compare with");
    target = asJson(sample.expected);
  }
  const same =
    canonicalJson(found.value) === canonicalJson(target) ||
    (typeof target === "string" && typeof found.value !== "object" && String(found.value) === target);
  const shown = quote(JSON.stringify(target) ?? "undefined");
  return same
    ? { score: 1, reason: `${config.path} equals ${shown}` }
    : { score: 0, reason: `${config.path} is ${quote(JSON.stringify(found.value) ?? "undefined")}, not ${shown}` };
}
