import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError } from "@/server/errors";
import type { StructuredOutputSpec } from "../constraint";
import { InferenceEngine } from "../engine";
import type { GenerateRequest } from "../generate";
import { DEMO_REPLY, writeTestModel } from "../model-builder";
import type { GenerationEvent } from "../types";
import { compileSpec } from ".";

// Temp files and onnxruntime (CPU) only: the test model's greedy chat always says DEMO_REPLY, so only the
// constraint makes its output JSON, and sampling with temperature > 0 explores many paths through each schema.
let root: string;
let ref: { dir: string; key: string; name: string };
const engine = new InferenceEngine({ device: "cpu" });
const ajv = new Ajv2020({ strict: false });
// Formats checked in ajv-formats' full mode (days in the month, leap years, ranges).
addFormats(ajv, { mode: "full" });

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "switchyard-structured-"));
  await writeTestModel(path.join(root, "m"));
  ref = { dir: path.join(root, "m"), key: "structured-test", name: "tiny" };
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function run(request: GenerateRequest) {
  let text = "";
  for await (const event of engine.generate(ref, request) as AsyncGenerator<GenerationEvent>) {
    if (event.type === "done") return { text, stats: event.stats };
    text += event.text;
  }
  throw new Error("no done event");
}

const SCHEMAS: Record<string, Record<string, unknown>> = {
  // What zod writes for .int() (the safe-integer range), .int().positive() and .nonnegative().
  bounds: {
    type: "object",
    properties: {
      n: { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 },
      count: { type: "integer", exclusiveMinimum: 0, maximum: 9007199254740991 },
      score: { type: "number", minimum: 0 },
    },
    required: ["n", "count", "score"],
    additionalProperties: false,
  },
  flat: {
    type: "object",
    properties: { city: { type: "string", maxLength: 12 }, temp: { type: "number" }, ok: { type: "boolean" } },
    required: ["city", "temp", "ok"],
    additionalProperties: false,
  },
  nested: {
    type: "object",
    properties: {
      user: {
        type: "object",
        properties: { name: { type: "string", maxLength: 8 }, age: { type: "integer" } },
        required: ["name", "age"],
        additionalProperties: false,
      },
      tags: { type: "array", items: { type: "string", maxLength: 5 }, minItems: 1, maxItems: 3 },
    },
    required: ["user", "tags"],
    additionalProperties: false,
  },
  enums: {
    type: "object",
    properties: {
      unit: { enum: ["c", "f", "kelvin"] },
      level: { const: 3 },
      mood: { type: "string", enum: ["happy", 'sad "quoted"', "naïve 🚀"] },
      nothing: { type: "null" },
    },
    required: ["unit", "level", "mood", "nothing"],
    additionalProperties: false,
  },
  anyOf: {
    type: "object",
    properties: {
      value: { anyOf: [{ type: "integer" }, { type: "string", maxLength: 6 }, { type: "null" }] },
      list: { type: "array", items: { oneOf: [{ type: "boolean" }, { type: "number" }] }, maxItems: 4 },
      either: { type: ["string", "integer"], maxLength: 4 },
    },
    required: ["value", "list", "either"],
    additionalProperties: false,
  },
  refs: {
    $defs: {
      node: {
        type: "object",
        properties: {
          label: { type: "string", minLength: 1, maxLength: 4 },
          children: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 2 },
        },
        required: ["label"],
        additionalProperties: false,
      },
    },
    $ref: "#/$defs/node",
  },
  // What zod 4 writes for z.email(), z.uuid(), z.iso.datetime(), z.iso.date(), z.iso.time(), z.ipv4() and
  // .regex(): each a format and (but for time) zod's own pattern; the output must meet both.
  zodFormats: z.toJSONSchema(
    z.object({
      email: z.email().max(40),
      id: z.uuid(),
      at: z.iso.datetime(),
      day: z.iso.date(),
      time: z.iso.time({ precision: 3 }),
      ip: z.ipv4(),
      code: z.string().regex(/^[A-Z]{3}-\d{4}$/),
    }),
  ) as Record<string, unknown>,
  formats: {
    type: "object",
    properties: {
      host: { type: "string", format: "hostname" },
      link: { type: "string", format: "uri" },
      span: { type: "string", format: "duration" },
      stamp: { type: "string", format: "date-time", maxLength: 25 },
      sku: { type: "string", pattern: "^(?:ab|cd)+[0-9]{2,3}$", minLength: 6, maxLength: 9 },
      words: { type: "array", items: { type: "string", pattern: "^[a-z]+( [a-z]+)*$", maxLength: 12 }, maxItems: 3 },
    },
    required: ["host", "link", "span", "stamp", "sku", "words"],
    additionalProperties: false,
  },
  optional: {
    type: "object",
    properties: { a: { type: "integer" }, b: { type: "string", maxLength: 3 }, c: { type: "boolean" } },
    required: ["b"],
    additionalProperties: false,
  },
};

const chat = [{ role: "user", content: "Answer in JSON." }];

describe("json_schema by constrained decoding", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`every sampled output of '${name}' parses and validates`, async () => {
      const validate = ajv.compile(schema);
      const structured: StructuredOutputSpec = { type: "json_schema", name, schema, strict: true };
      for (let seed = 0; seed < 12; seed++) {
        const { text, stats } = await run({ messages: chat, structured, temperature: 1.2, seed, maxTokens: 400 });
        expect(stats.finishReason, text).not.toBe("length");
        const value = JSON.parse(text);
        expect(validate(value), `${text}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    });
  }

  it("greedy output is valid JSON too (the model alone would say its fixed reply)", async () => {
    const schema = SCHEMAS.flat;
    const { text } = await run({
      messages: chat,
      structured: { type: "json_schema", name: "flat", schema, strict: true },
      temperature: 0,
    });
    expect(text).not.toContain(DEMO_REPLY);
    expect(ajv.validate(schema, JSON.parse(text))).toBe(true);
  });

  it("json_object: a JSON object, or (only when max_tokens cuts it) a prefix of one", async () => {
    let finished = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { text, stats } = await run({
        messages: chat,
        structured: { type: "json_object" },
        temperature: 1,
        seed,
        maxTokens: 480,
      });
      expect(text.startsWith("{"), text).toBe(true);
      if (stats.finishReason === "length") continue;
      finished++;
      const value = JSON.parse(text);
      expect(typeof value === "object" && value !== null && !Array.isArray(value), text).toBe(true);
    }
    // Seeded: the same seeds finish every run; free-form values are long on this noisy model.
    expect(finished).toBeGreaterThan(0);
  });

  it("a document cut by max_tokens finishes 'length'", async () => {
    const schema = {
      type: "object",
      properties: { s: { type: "string" } },
      required: ["s"],
      additionalProperties: false,
    };
    const { text, stats } = await run({
      messages: chat,
      structured: { type: "json_schema", name: "cut", schema, strict: true },
      temperature: 1,
      seed: 3,
      maxTokens: 8,
    });
    expect(stats.finishReason).toBe("length");
    expect(text, text).toMatch(/^{"s":"/);
    expect(() => JSON.parse(text)).toThrow();
  });
});

describe("schemas the recognizer cannot enforce", () => {
  it("are refused under strict, naming the keyword", () => {
    const spec = (schema: Record<string, unknown>): StructuredOutputSpec => ({
      type: "json_schema",
      name: "x",
      schema,
      strict: true,
    });
    const refused = (schema: Record<string, unknown>) => {
      try {
        compileSpec(spec(schema));
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).message;
      }
      return null;
    };
    expect(refused({ type: "string", pattern: "^a" })).toBeNull();
    // A lookahead removes the paths through it: nothing is left that the grammar could write.
    expect(refused({ type: "string", pattern: "^(?=x)y$" })).toMatch(
      /^response_format\.json_schema\.schema\.pattern: no string of 0 to 512 printable ASCII characters matches it/,
    );
    expect(refused({ type: "string", pattern: "^é+$" })).toMatch(/schema\.pattern: no string/);
    expect(refused({ type: "string", pattern: "^a{3}$", maxLength: 2 })).toMatch(/no string of 0 to 2/);
    expect(refused({ type: "string", pattern: "(a|b)*a(a|b){14}" })).toMatch(
      /schema\.pattern: the pattern is too complex/,
    );
    expect(refused({ type: "string", pattern: "(" })).toMatch(/schema\.pattern: the pattern cannot be used/);
    expect(refused({ type: "string", format: "iri" })).toMatch(
      /schema\.format: format 'iri' is not supported for local models \(supported: date-time, date, time, email/,
    );
    expect(refused({ type: "object", properties: { n: { type: "number", minimum: 5 } } })).toMatch(
      /schema\.properties\.n\.minimum: 'minimum' 5 is not supported/,
    );
    expect(refused({ type: "number", maximum: 100 })).toMatch(/maximum: 'maximum' 100 is not supported/);
    expect(refused({ type: "integer", minimum: 0, maximum: 9007199254740991 })).toBeNull();
    expect(refused({ type: "object", additionalProperties: true })).toMatch(/additionalProperties/);
    expect(refused({ $ref: "https://x/y.json" })).toMatch(/only local references/);
    expect(refused(SCHEMAS.refs)).toBeNull();
  });

  it("are ignored without strict (best effort)", () => {
    expect(() =>
      compileSpec({ type: "json_schema", name: "x", schema: { type: "string", pattern: "(?=a)b" }, strict: false }),
    ).not.toThrow();
  });
});
