import { describe, expect, it } from "vitest";
import { jsonSyntaxError } from "./json-syntax";
import { detectFormat, formatIssue, parseRouteSource } from "./parse";

const issues = (source: string, format?: "yaml" | "json") => {
  const parsed = parseRouteSource(source, format);
  if (parsed.ok) throw new Error("expected issues");
  return parsed.issues.map(formatIssue);
};

describe("parseRouteSource", () => {
  it("defaults an empty YAML document and a minimal JSON one", () => {
    for (const source of ["", "{}"]) {
      const parsed = parseRouteSource(source);
      expect(parsed.ok && parsed.config).toMatchObject({
        deployments: [],
        strategy: "weighted",
        retries: { attempts: 1, backoffMs: 100, maxBackoffMs: 2000 },
        cooldown: { failures: 3, seconds: 30 },
        fallbacks: [],
      });
    }
  });

  it("detects JSON by its opening brace", () => {
    expect(detectFormat('  {"a": 1}')).toBe("json");
    expect(detectFormat("a: 1")).toBe("yaml");
  });

  it("names YAML syntax errors by line and column", () => {
    expect(issues("deployments:\n  - model: a\n bad: [\n")[0]).toMatch(
      /^line 3, column 1: All mapping items must start at the same column/,
    );
    expect(issues("a: 1\na: 2\n")[0]).toMatch(/^line 2, column 1: Map keys must be unique/);
  });

  it("names schema errors at the node, unknown keys at the key, in line order", () => {
    expect(issues("strategy: fastest\ndeployments:\n  - model: a\n    wieght: 2\ncooldown:\n  failures: 0\n")).toEqual([
      'line 1, column 11: strategy: Must be one of "weighted", "least-outstanding", "lowest-latency"',
      "line 4, column 5: deployments.0: Unknown field: wieght",
      "line 6, column 13: cooldown.failures: Must be 1 or more",
    ]);
  });

  it("points a missing field at its parent", () => {
    expect(issues("deployments:\n  - weight: 2\n")).toEqual(["line 2, column 5: deployments.0.model: Required"]);
  });

  it("refuses a backoff ceiling under the first backoff, and a document that is not a mapping", () => {
    expect(issues("retries:\n  backoffMs: 500\n  maxBackoffMs: 100\n")).toEqual([
      "line 3, column 17: retries.maxBackoffMs: maxBackoffMs must be at least backoffMs",
    ]);
    expect(issues("- a\n")).toEqual(["line 1, column 1: The route config must be a mapping (key: value pairs)"]);
  });

  it("names JSON syntax and schema errors by line and column", () => {
    expect(issues('{\n  "deployments": [\n    {"model": "a"},\n  ]\n}', "json")).toEqual([
      "line 4, column 3: Expected a value, found ']'",
    ]);
    expect(issues('{\n  "timeoutMs": "fast"\n}', "json")).toEqual([
      "line 2, column 16: timeoutMs: Must be a number, not text",
    ]);
  });
});

describe("jsonSyntaxError", () => {
  it("finds where the text stops being JSON", () => {
    expect(jsonSyntaxError('{"a": 1}')).toBeNull();
    expect(jsonSyntaxError('{"a" 1}')).toEqual({
      offset: 5,
      message: "Expected ':' after the property name, found '1'",
    });
    expect(jsonSyntaxError('{"a": 1,}')).toEqual({
      offset: 8,
      message: "Expected a double-quoted property name, found '}'",
    });
    expect(jsonSyntaxError('{"a": "x')).toEqual({ offset: 8, message: "Unterminated string" });
    expect(jsonSyntaxError("[1] 2")).toEqual({ offset: 4, message: "Unexpected '2' after the JSON value" });
  });

  // The hand-written scanner it replaced accepted these, so JSON.parse's error had no position.
  it("locates bad escapes, control characters and comments", () => {
    expect(jsonSyntaxError('{"a": "\\x"}')).toEqual({ offset: 6, message: "Invalid escape sequence in a string" });
    expect(jsonSyntaxError('{"a": "\\u12"}')?.message).toMatch(/Invalid \\u escape/);
    expect(jsonSyntaxError('{"a": 1 // note\n}')).toMatchObject({
      offset: 8,
      message: "Comments are not allowed in JSON",
    });
    expect(jsonSyntaxError('{"a": tru}')).toMatchObject({ offset: 6 });
  });
});
