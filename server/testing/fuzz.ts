/**
 * Arbitraries for the bad-input fuzz tests (server/trpc/rest-fuzz.int.test.ts,
 * server/modules/gateway/gateway-fuzz.int.test.ts): values shaped by an
 * OpenAPI / JSON Schema, mutated at any depth into what hostile or careless
 * clients send (wrong types, missing fields, huge strings, NUL bytes, lone
 * surrogates, malformed `%` escapes).
 */
import fc from "fast-check";

type Schema = Record<string, unknown>;

/** A seed from FUZZ_SEED to explore, else a fixed one: the suite must fail the same way on every run. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261206);

/** Strings known to break naive code, and arbitrary UTF-16 (lone surrogates included). */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udc00y",
    "%",
    "%zz",
    "%E0%A4%A",
    "%00",
    "../../../etc/passwd",
    "name@99999999999999999999",
    "name:1e309",
    "name:99999999999999999999",
    "prompt:x@99999999999999999999",
    "experiment:\u0000",
    "🙂👍🏽",
    "\u202eevil",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "null",
    "NaN",
    "1e309",
    "-1",
    "00000000-0000-0000-0000-000000000000",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => "x".repeat(n)),
);

const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.000001, 2 ** 31, 2 ** 53, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value of a small depth, hostile strings and numbers included. */
export const junkValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nastyString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

function resolveRef(schema: Schema, doc: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, "").split("/")) node = (node as Record<string, unknown>)?.[part];
  return (node as Schema) ?? {};
}

export interface SchemaArbitraryOptions {
  /** The OpenAPI document, for `$ref`s. */
  doc: Schema;
  /** Ids of rows that exist, used for `format: uuid` strings now and then so requests reach past the lookups. */
  knownIds: string[];
  /** Names of rows that exist (models, prompts...), used for other strings now and then, for the same reason. */
  knownNames: string[];
}

/** Values the schema accepts, roughly (patterns are not honoured): the well-formed half of the fuzz. */
function validValue(schema: Schema, options: SchemaArbitraryOptions, depth: number): fc.Arbitrary<unknown> {
  const s = resolveRef(schema, options.doc);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => fuzzedValue(a, options, depth)));
  if (Array.isArray(s.allOf) && s.allOf.length) return fuzzedValue(s.allOf[0] as Schema, options, depth);
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const type = Array.isArray(s.type) ? s.type : [s.type];
  const arbitraries = type.map((t) => valueOfType(t as string | undefined, s, options, depth));
  return arbitraries.length === 1 ? arbitraries[0] : fc.oneof(...arbitraries);
}

function valueOfType(
  type: string | undefined,
  s: Schema,
  options: SchemaArbitraryOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.integer({
            min: Math.max(Number(s.minimum ?? -1000), -1e9),
            max: Math.min(Number(s.maximum ?? 1000), 1e9),
          }),
        },
        { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 53 + 2, 1e20, -(2 ** 31) - 1) },
      );
    case "number":
      return fc.double({
        min: Math.max(Number(s.minimum ?? -1000), -1e9),
        max: Math.min(Number(s.maximum ?? 1000), 1e9),
        noNaN: true,
      });
    case "string": {
      if (s.format === "uuid")
        return options.knownIds.length
          ? fc.oneof(
              { weight: 1, arbitrary: fc.uuid() },
              { weight: 3, arbitrary: fc.constantFrom(...options.knownIds) },
            )
          : fc.uuid();
      const min = Number(s.minLength ?? 0);
      const max = Math.min(Number(s.maxLength ?? 30), 30);
      // A well-formed request with one hostile string in it is what gets past validation to the database.
      return fc.oneof(
        { weight: 3, arbitrary: fc.string({ minLength: Math.min(min, max), maxLength: Math.max(min, max) }) },
        { weight: 2, arbitrary: options.knownNames.length ? fc.constantFrom(...options.knownNames) : nastyString },
        {
          weight: 1,
          arbitrary: options.knownNames.length
            ? fc
                .tuple(
                  fc.constantFrom(...options.knownNames),
                  fc.constantFrom("@99999999999999999999", ":99999999999", "@latest", ":1e309", "@\u0000", "\u0000"),
                )
                .map(([name, suffix]) => name + suffix)
            : nastyString,
        },
        { weight: 2, arbitrary: nastyString },
      );
    }
    case "array": {
      if (depth > 3) return fc.constant([]);
      const items = (s.items as Schema | undefined) ?? {};
      return fc.array(fuzzedValue(items, options, depth + 1), {
        minLength: Math.min(Number(s.minItems ?? 0), 3),
        maxLength: Math.min(Number(s.maxItems ?? 3), 3),
      });
    }
    case "object":
    case undefined: {
      const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
      if (!Object.keys(properties).length) return depth > 3 ? fc.constant({}) : junkValue;
      if (depth > 3) return fc.constant({});
      const shape = Object.fromEntries(
        Object.entries(properties).map(([name, p]) => [name, fuzzedValue(p, options, depth + 1)]),
      );
      const required = (s.required as string[] | undefined) ?? [];
      return fc.oneof(
        { weight: 3, arbitrary: fc.record(shape, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(shape, { requiredKeys: [] }) },
      );
    }
    default:
      return junkValue;
  }
}

/** Mostly what the schema asks for, sometimes anything at all, at every depth. */
export function fuzzedValue(schema: Schema, options: SchemaArbitraryOptions, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: validValue(schema, options, depth) },
    { weight: 1, arbitrary: depth > 3 ? nastyString : junkValue },
  );
}

/** A body as sent on the wire: JSON of a fuzzed value, or text that is not JSON at all. */
export function fuzzedBody(schema: Schema | undefined, options: SchemaArbitraryOptions): fc.Arbitrary<string> {
  const json = (schema ? fuzzedValue(schema, options) : junkValue).map((v) => JSON.stringify(v) ?? "null");
  return fc.oneof(
    { weight: 8, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "{", "[1,", '{"a":"\\u0000"}', '"\\ud800"', "\u0000", "{}}", "[]", "1e309"),
    },
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the bytes of one: invalid UTF-8. */
function encodeLoosely(text: string): string {
  return text
    .split(LONE_SURROGATE)
    .map((part) => encodeURIComponent(part))
    .join("%ED%A0%80");
}

/** A path or query component: usually encoded, sometimes raw, so `%`, `%zz` and `%E0%A4%A` arrive as they are. */
export function fuzzedComponent(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: value.map((v) => encodeLoosely(typeof v === "string" ? v : String(JSON.stringify(v)))) },
    { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%ED%A0%80", "a%2", "%%", "%C0%AF") },
  );
}

/** One line describing a request, for the failure message. */
export function describeRequest(method: string, url: string, body?: string): string {
  const shown =
    body === undefined ? "" : ` body ${JSON.stringify(body.length > 600 ? `${body.slice(0, 600)}…` : body)}`;
  return `${method} ${url.length > 600 ? `${url.slice(0, 600)}…` : url}${shown}`;
}
