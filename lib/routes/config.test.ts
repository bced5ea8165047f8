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
    expect(found[0]).toMatch(/^pipeline\.input\.regex\.0\.pattern: Not a pattern RE2 can run: missing closing \)/);
  });

  it("refuses backreferences and lookaround (RE2 cannot run them), naming the pattern's path and why", () => {
    const why =
      "(backreferences and lookahead/lookbehind are not supported: patterns run in RE2, which matches in linear time)";
    const config = (pattern: string) => ({
      pipeline: {
        output: {
          regex: [
            { name: "ok", pattern: "a" },
            { name: "bad", pattern },
          ],
        },
      },
    });
    expect(issues(config("(a)\\1"))).toEqual([
      `pipeline.output.regex.1.pattern: Not a pattern RE2 can run: invalid escape sequence: \`\\1\` ${why}`,
    ]);
    expect(issues(config("secret(?=:)"))).toEqual([
      `pipeline.output.regex.1.pattern: Not a pattern RE2 can run: invalid or unsupported Perl syntax: \`(?=\` ${why}`,
    ]);
    expect(issues(config("(?<!x)secret"))[0]).toMatch(
      /^pipeline\.output\.regex\.1\.pattern: Not a pattern RE2 can run: /,
    );
  });

  it("accepts what RE2 runs, JavaScript's \\u escapes and catastrophic-looking nesting included", () => {
    for (const pattern of ["^(a+)+$", "\\bsk-[A-Za-z0-9]{20,}\\b", "caf\\u00e9", "\\u{1F600}", "(?<word>\\p{L}+)"])
      expect(issues({ pipeline: { input: { regex: [{ name: "p", pattern }] } } })).toEqual([]);
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
