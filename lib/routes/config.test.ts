import { describe, expect, it } from "vitest";
import { pipelineConfig, routeConfig } from "./config";

const issues = (raw: unknown) => {
  const result = routeConfig.safeParse(raw);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("pipeline config validation", () => {
  it("refuses a regex that does not compile, saying why and where", () => {
    const found = issues({ pipeline: { input: { regex: [{ name: "bad", pattern: "(unclosed" }] } } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^pipeline\.input\.regex\.0\.pattern: Not a valid regular expression: .*(unclosed|Unterminated)/i,
    );
  });

  it("refuses a regex that matches empty text, bad flags, duplicate names and odd names", () => {
    expect(issues({ pipeline: { output: { regex: [{ name: "e", pattern: "a*" }] } } })).toEqual([
      "pipeline.output.regex.0.pattern: The pattern matches empty text: it must match at least one character",
    ]);
    expect(issues({ pipeline: { input: { regex: [{ name: "f", pattern: "a", flags: "gx" }] } } })).toEqual([
      "pipeline.input.regex.0.flags: Flags may be i, m, s, u",
    ]);
    expect(
      issues({
        pipeline: {
          input: {
            regex: [
              { name: "same", pattern: "a" },
              { name: "same", pattern: "b" },
            ],
          },
        },
      }),
    ).toEqual(["pipeline.input.regex: Regex guard names must be unique"]);
    expect(issues({ pipeline: { input: { regex: [{ name: "has space", pattern: "a" }] } } })[0]).toMatch(
      /^pipeline\.input\.regex\.0\.name: Use letters/,
    );
  });

  it("refuses unknown keys at every level (a typo must not silently disable a guard)", () => {
    expect(issues({ pipeline: { input: { blocklst: { words: ["x"] } } } })[0]).toMatch(/^pipeline\.input: .*blocklst/);
    expect(issues({ pipeline: { output: { pii: { action: "mask", kind: ["EMAIL"] } } } })[0]).toMatch(
      /^pipeline\.output\.pii: .*kind/,
    );
    expect(issues({ pipeline: { guardrails: {} } })[0]).toMatch(/^pipeline: .*guardrails/);
  });

  it("fills defaults", () => {
    expect(
      pipelineConfig.parse({
        input: { blocklist: { words: ["x"] }, pii: {}, injection: {} },
        output: { regex: [{ name: "r", pattern: "y" }] },
        cache: {},
      }),
    ).toEqual({
      input: {
        blocklist: { words: ["x"], action: "block", caseSensitive: false },
        pii: { action: "mask" },
        injection: { action: "block", threshold: 0.5 },
      },
      output: {
        regex: [{ name: "r", pattern: "y", flags: "i", action: "block", replacement: "[REDACTED]" }],
        holdbackChars: 64,
      },
      cache: { enabled: true, sampled: false },
    });
  });
});
