import { describe, expect, it } from "vitest";
import { createEvaluatorInput, tryEvaluatorInput } from "@/lib/evals/evaluator-inputs";
import {
  DEFAULT_THRESHOLDS,
  EVALUATOR_CONFIG_SCHEMAS,
  EVALUATOR_TYPES,
  MAX_SIMILARITY_CHARS,
} from "@/lib/evals/evaluators";
import { parseJsonPath, readJsonPath } from "@/lib/evals/json-path";
import type { Db } from "@/server/db";
import { scoreSample } from "../score";
import type { EvalSample, EvaluatorSpec, ScoreDeps } from "../types";
import { signBody } from "./http";
import { cosine, parseChoice } from "./model-based";
import { finalize, runEvaluator } from "./run";
import { lcsLength, levenshteinDistance, numberIn, words } from "./text";

// Deterministic evaluators use neither the database nor models: a caller that fails loudly if one ever does.
const deps: ScoreDeps = {
  db: {} as Db,
  projectId: "00000000-0000-0000-0000-000000000000",
  callModel: () => Promise.reject(new Error("no model calls in unit tests")),
  signal: new AbortController().signal,
};

let n = 0;
function spec(type: string, config: unknown, extra: Partial<EvaluatorSpec> = {}): EvaluatorSpec {
  n++;
  return {
    evaluatorVersionId: `v${n}`,
    name: `e${n}`,
    version: 1,
    type,
    config,
    threshold: null,
    negate: false,
    weight: 1,
    ...extra,
  };
}
const sample = (output: string, expected?: unknown): EvalSample => ({
  input: { messages: [{ role: "user", content: "q" }] },
  output,
  ...(expected !== undefined ? { expected } : {}),
});
const score = (s: EvaluatorSpec, x: EvalSample) => runEvaluator(deps, s, x);

describe("text evaluators", () => {
  it("exact compares with a value or the expected output, trimmed, optionally case-insensitive", async () => {
    expect((await score(spec("exact", { value: "Paris" }), sample(" Paris\n"))).passed).toBe(true);
    expect((await score(spec("exact", { value: "Paris", trim: false }), sample(" Paris"))).passed).toBe(false);
    expect((await score(spec("exact", { useExpected: true }), sample("paris", "Paris"))).passed).toBe(false);
    const ci = await score(spec("exact", { useExpected: true, caseInsensitive: true }), sample("paris", "Paris"));
    expect(ci).toMatchObject({ score: 1, passed: true, reason: 'equals "paris"' });
  });

  it("a case without an expected output scores 0 with the reason, not an exception", async () => {
    const result = await score(spec("exact", { useExpected: true }), sample("x"));
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(result.reason).toMatch(/no expected output/);
  });

  it("contains and starts_with", async () => {
    expect((await score(spec("contains", { value: "cat" }), sample("a cat sat"))).passed).toBe(true);
    expect((await score(spec("contains", { value: "dog" }), sample("a cat sat"))).reason).toBe(
      'does not contain "dog"',
    );
    expect((await score(spec("starts_with", { useExpected: true }), sample("Yes, because", "yes"))).passed).toBe(false);
    expect(
      (await score(spec("starts_with", { useExpected: true, caseInsensitive: true }), sample("Yes, because", "yes")))
        .passed,
    ).toBe(true);
  });

  it("negate flips score and pass, and says so", async () => {
    const result = await score(spec("contains", { value: "sorry" }, { negate: true }), sample("Sure, here it is"));
    expect(result).toMatchObject({ score: 1, passed: true, reason: 'negated: does not contain "sorry"' });
    const hit = await score(spec("contains", { value: "sorry" }, { negate: true }), sample("sorry, I can't"));
    expect(hit).toMatchObject({ score: 0, passed: false });
  });

  it("an error is never negated into a pass", async () => {
    const result = await score(spec("exact", { useExpected: true }, { negate: true }), sample("x"));
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(finalize(spec("http", {}, { negate: true }), { score: 0, reason: "call failed", failed: true })).toEqual({
      score: 0,
      passed: false,
      reason: "call failed",
    });
  });

  it("regex runs in RE2: a pathological pattern on a long input takes linear time", async () => {
    const s = spec("regex", { pattern: "^(a+)+$", flags: "" });
    const long = `${"a".repeat(100_000)}!`;
    const result = await score(s, sample(long));
    // A backtracking engine takes exponential time on this; RE2 answers (no timing assertion needed: it returns).
    expect(result).toMatchObject({ score: 0, passed: false });
    expect((await score(spec("regex", { pattern: "^\\d{3}-\\d{4}$" }), sample("555-1234"))).passed).toBe(true);
    expect((await score(spec("regex", { pattern: "hello", flags: "i" }), sample("HELLO there"))).passed).toBe(true);
  });

  it("numeric: absolute and relative tolerance, the first number in the text", async () => {
    expect(numberIn("about 42 km")).toBe(42);
    expect(numberIn("1,234.5")).toBe(1234.5);
    expect(numberIn("none")).toBeNull();
    expect((await score(spec("numeric", { value: 10, tolerance: 0.5 }), sample("10.4"))).passed).toBe(true);
    expect((await score(spec("numeric", { value: 10, tolerance: 0.5 }), sample("10.6"))).passed).toBe(false);
    const rel = spec("numeric", { useExpected: true, tolerance: 0.1, mode: "relative" });
    expect((await score(rel, sample("The answer is 109", "100"))).passed).toBe(true);
    expect((await score(rel, sample("The answer is 111", "100"))).reason).toBe("111 is not within ±10% of 100");
    expect((await score(rel, sample("no idea", "100"))).reason).toBe("the output holds no number");
  });

  it("levenshtein: normalised similarity, default threshold 0.5", async () => {
    expect(levenshteinDistance("kitten", "sitting")).toBe(3);
    expect(levenshteinDistance("", "abc")).toBe(3);
    expect(levenshteinDistance("same", "same")).toBe(0);
    const result = await score(spec("levenshtein", { value: "sitting" }), sample("kitten"));
    expect(result.score).toBeCloseTo(1 - 3 / 7);
    expect(result.passed).toBe(true);
    expect((await score(spec("levenshtein", { value: "abcdef" }, { threshold: 0.9 }), sample("abcxyz"))).passed).toBe(
      false,
    );
  });

  it("levenshtein and ROUGE-L cap what they compare on long texts, and say so", async () => {
    const long = "x".repeat(MAX_SIMILARITY_CHARS * 50);
    const result = await score(spec("levenshtein", { value: long }), sample(`${long}y`));
    expect(result.score).toBe(1);
    expect(result.reason).toMatch(/first 2,000 characters compared/);
    const many = Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(" ");
    const rouge = await score(spec("rouge_l", { value: many }), sample(many));
    expect(rouge.score).toBe(1);
    expect(rouge.reason).toMatch(/first 2,000 words compared/);
  });

  it("rouge_l: LCS F-measure over lower-cased words", async () => {
    expect(words("The cat, the HAT!")).toEqual(["the", "cat", "the", "hat"]);
    expect(lcsLength(["a", "b", "c", "d"], ["a", "c", "d", "e"])).toBe(3);
    const result = await score(
      spec("rouge_l", { useExpected: true }),
      sample("the cat sat on the mat", "the cat is on the mat"),
    );
    // LCS = the cat on the mat (5 of 6 each way): P = R = F = 5/6.
    expect(result.score).toBeCloseTo(5 / 6);
    expect((await score(spec("rouge_l", { value: "alpha beta" }), sample("gamma"))).reason).toBe("no words in common");
  });
});

describe("JSON evaluators", () => {
  it("json_valid accepts JSON (also in a ```json fence) and names the parse error", async () => {
    expect((await score(spec("json_valid", {}), sample('{"a":1}'))).passed).toBe(true);
    expect((await score(spec("json_valid", {}), sample('```json\n{"a":1}\n```'))).passed).toBe(true);
    const bad = await score(spec("json_valid", {}), sample("{a:1}"));
    expect(bad.passed).toBe(false);
    expect(bad.reason).toMatch(/^not valid JSON/);
  });

  it("json_schema validates with ajv (formats included) and names where it failed", async () => {
    const s = spec("json_schema", {
      schema: {
        type: "object",
        required: ["email", "age"],
        properties: { email: { type: "string", format: "email" }, age: { type: "integer", minimum: 0 } },
      },
    });
    expect((await score(s, sample('{"email":"a@b.co","age":3}'))).passed).toBe(true);
    const bad = await score(s, sample('{"email":"nope","age":3}'));
    expect(bad.passed).toBe(false);
    expect(bad.reason).toMatch(/invalid at \/email: must match format "email"/);
  });

  it("json_schema patterns run in RE2", async () => {
    const s = spec("json_schema", { schema: { type: "string", pattern: "^(a+)+$" } });
    expect((await score(s, sample(JSON.stringify(`${"a".repeat(50_000)}!`)))).passed).toBe(false);
    expect((await score(s, sample('"aaa"'))).passed).toBe(true);
  });

  it("json_path reads a value and compares it with a value or the expected (JSON-aware)", async () => {
    const output = '{"answer":{"items":[{"id":7},{"id":8}]},"ok":true}';
    expect((await score(spec("json_path", { path: "$.answer.items[1].id", value: 8 }), sample(output))).passed).toBe(
      true,
    );
    expect(
      (await score(spec("json_path", { path: "$.answer.items[-1].id", useExpected: true }), sample(output, "8")))
        .passed,
    ).toBe(true);
    expect((await score(spec("json_path", { path: "$['ok']", value: true }), sample(output))).passed).toBe(true);
    const missing = await score(spec("json_path", { path: "$.answer.items[5].id", value: 1 }), sample(output));
    expect(missing.reason).toBe("$.answer.items[5] is not in the output");
    const differs = await score(spec("json_path", { path: "$.answer.items[0]", value: { id: 8 } }), sample(output));
    expect(differs.reason).toBe('$.answer.items[0] is "{\\"id\\":7}", not "{\\"id\\":8}"');
  });

  it("the path subset: names, quoted keys, indexes; filters and wildcards are refused", () => {
    expect(parseJsonPath("$.a['b c'][0][-1]")).toEqual([
      { kind: "key", key: "a" },
      { kind: "key", key: "b c" },
      { kind: "index", index: 0 },
      { kind: "index", index: -1 },
    ]);
    expect(readJsonPath({ a: [1, 2] }, parseJsonPath("$.a[1]"))).toEqual({ found: true, value: 2 });
    expect(() => parseJsonPath("a.b")).toThrow(/starts with \$/);
    expect(() => parseJsonPath("$.a[*]")).toThrow(/character 4: .*wildcards and filters are not supported/);
    expect(() => parseJsonPath("$..a")).toThrow(/character 3/);
    expect(() => parseJsonPath("$[?(@.x)]")).toThrow(/not supported/);
  });
});

describe("configs", () => {
  const issues = (input: unknown) => {
    const result = createEvaluatorInput.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("every type has a schema and a default threshold", () => {
    for (const type of EVALUATOR_TYPES) {
      expect(EVALUATOR_CONFIG_SCHEMAS[type]).toBeDefined();
      expect(DEFAULT_THRESHOLDS[type]).toBeGreaterThan(0);
    }
    expect(DEFAULT_THRESHOLDS.exact).toBe(1);
    expect(DEFAULT_THRESHOLDS.levenshtein).toBe(0.5);
  });

  it("bad configs are refused naming the field", () => {
    expect(issues({ name: "x", type: "exact", config: {} })).toEqual([
      "config.value: Give a value to compare with, or turn on useExpected (the case's expected output)",
    ]);
    expect(issues({ name: "x", type: "regex", config: { pattern: "(a" } })[0]).toMatch(
      /^config.pattern: Not a pattern RE2 can run: missing closing \)/,
    );
    expect(issues({ name: "x", type: "regex", config: { pattern: "(?=a)b" } })[0]).toMatch(
      /lookahead\/lookbehind are not supported/,
    );
    expect(issues({ name: "x", type: "regex", config: { pattern: "a", flags: "g" } })).toEqual([
      "config.flags: Only the flags i, m, s and u are allowed",
    ]);
    expect(issues({ name: "x", type: "json_path", config: { path: "$.a[*]", value: 1 } })[0]).toMatch(
      /^config.path: character 4/,
    );
    expect(issues({ name: "x", type: "llm_judge", config: { model: "m", rubric: "r", choices: { A: 1 } } })).toEqual([
      "config.choices: Give at least two choices",
    ]);
    expect(
      issues({ name: "x", type: "llm_judge", config: { model: "m", rubric: "r", choices: { A: 2, B: 0 } } }),
    ).toEqual(["config.choices.A: A choice's score is 0..1"]);
    expect(issues({ name: "x", type: "http", config: { url: "ftp://x" } })).toEqual([
      "config.url: An absolute http(s) URL",
    ]);
    expect(issues({ name: "x", type: "exact", config: { value: "a", bogus: 1 } })[0]).toMatch(/^config: .*bogus/);
    expect(issues({ name: "x", type: "nope", config: {} })[0]).toMatch(/^type: The type is one of: exact, contains/);
    expect(issues({ name: "x", type: "exact", config: { value: "a" }, threshold: 2 })).toEqual([
      "threshold: A threshold is 0..1",
    ]);
  });

  it("try needs a version or a type", () => {
    const result = tryEvaluatorInput.safeParse({ output: "x" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ["type"] });
  });

  it("a stored config that no longer parses scores 0 with the reason", async () => {
    const result = await score(spec("regex", { pattern: 5 }), sample("x"));
    expect(result).toMatchObject({ score: 0, passed: false });
    expect(result.reason).toMatch(/^error: /);
    expect((await score(spec("unknown", {}), sample("x"))).reason).toBe("error: unknown evaluator type 'unknown'");
  });
});

describe("scoreSample", () => {
  it("weighted mean, passed only when all passed, failures contained", async () => {
    const result = await scoreSample(
      deps,
      [
        spec("exact", { value: "yes" }, { weight: 3 }),
        spec("contains", { value: "no" }, { weight: 1 }),
        spec("exact", { useExpected: true }, { weight: 1 }),
      ],
      sample("yes"),
    );
    expect(result.scores.map((s) => s.score)).toEqual([1, 0, 0]);
    expect(result.score).toBeCloseTo(3 / 5);
    expect(result.passed).toBe(false);
    expect(result.costUsd).toBe(0);
    expect(result.scores[2].reason).toMatch(/no expected output/);
  });
});

describe("helpers", () => {
  it("parses a judge's choice robustly", () => {
    const choices = ["A", "B", "C"];
    expect(parseChoice("B", choices)).toBe("B");
    expect(parseChoice("**C**.", choices)).toBe("C");
    expect(parseChoice("The answer is mostly right.\nAnswer: B", choices)).toBe("B");
    expect(parseChoice("Reasoning about a case.\nVerdict: a", choices)).toBe("A");
    expect(parseChoice("I think it is a good answer. A", choices)).toBe("A");
    expect(parseChoice("Either A or B", choices)).toBeNull();
    expect(parseChoice("no idea", choices)).toBeNull();
    expect(parseChoice("Final grade - correct", ["correct", "incorrect"])).toBe("correct");
  });

  it("cosine similarity", () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([1, 0], [-1, 0])).toBe(-1);
  });

  it("signs t.<body> with HMAC-SHA256", () => {
    // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signBody("secret", '{"a":1}', 1_700_000_000)).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(signBody("secret", '{"a":1}', 1)).not.toBe(signBody("other", '{"a":1}', 1));
  });
});
