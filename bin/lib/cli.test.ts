// The CLI's pure parts: argument parsing, the threshold syntax, and the JUnit / Markdown / table renderings.
import { describe, expect, it } from "vitest";
import { thresholdSchema } from "@/lib/evals/gate";
import type { GateView } from "@/lib/evals/gate-requests";
import { parseCli, parseThreshold, UsageError } from "./args.mjs";
import { renderJUnit, renderMarkdown, renderTable, xml } from "./render.mjs";

const env = { SWITCHYARD_URL: "https://sy.example.test/", SWITCHYARD_API_KEY: "sk-test" };

describe("threshold syntax", () => {
  it.each([
    ["overall.mean>=0.8", { metric: "overall", stat: "mean", higherIsBetter: true, threshold: 0.8 }],
    ["overall >= 0.8", { metric: "overall", stat: "mean", higherIsBetter: true, threshold: 0.8 }],
    ["exact.pass_rate>=90%", { metric: "exact", stat: "pass_rate", higherIsBetter: true, threshold: 0.9 }],
    ["latency_p95_ms<=1500", { metric: "latency_p95_ms", higherIsBetter: false, threshold: 1500 }],
    [
      "exact.pass_rate>=+0.0 vs baseline",
      { metric: "exact", stat: "pass_rate", higherIsBetter: true, minAbsoluteChange: 0 },
    ],
    [
      "exact.pass_rate>=-0.02 vs baseline",
      { metric: "exact", stat: "pass_rate", higherIsBetter: true, minAbsoluteChange: -0.02 },
    ],
    [
      "overall.mean>=+5% vs baseline",
      { metric: "overall", stat: "mean", higherIsBetter: true, minRelativeChange: 0.05 },
    ],
    // "may rise at most 10 %" = at least −10 % better in the improving (lower) direction
    ["cost_usd<=+10% vs baseline", { metric: "cost_usd", higherIsBetter: false, minRelativeChange: -0.1 }],
    ["error_rate<=0 VS BASELINE", { metric: "error_rate", higherIsBetter: false, minAbsoluteChange: 0 }],
    ["my-judge/v2.mean=>0.5", { metric: "my-judge/v2", stat: "mean", higherIsBetter: true, threshold: 0.5 }],
  ])("%s", (text, expected) => {
    const parsed = parseThreshold(text);
    expect(parsed).toEqual(expected);
    // What the CLI sends is what the server's schema accepts.
    expect(thresholdSchema.safeParse(parsed).success).toBe(true);
  });

  it.each([
    ["overall > 0.8", "use >= (higher is better: a minimum) or <= (lower is better: a maximum), not >"],
    ["overall.mean>=high", "expected METRIC[.mean|.pass_rate] >=|<= NUMBER[%] [vs baseline]"],
    ["latency_p95_ms.pass_rate<=5", "latency_p95_ms has no .pass_rate"],
    ["overall>=0.8 vs production", "expected METRIC"],
  ])("refuses %s", (text, message) => {
    expect(() => parseThreshold(text)).toThrow(UsageError);
    expect(() => parseThreshold(text)).toThrow(message);
  });
});

describe("arguments", () => {
  const base = ["eval", "--prompt", "support", "--candidate", "4", "--dataset", "golden@2", "--evaluator", "exact"];

  it("builds the gate request, with repeated evaluators and thresholds, and takes the server from the environment", () => {
    const parsed = parseCli(
      [
        ...base,
        "--evaluator",
        "judge@3",
        "--threshold",
        "overall.mean>=0.8",
        "--threshold",
        "exact.pass_rate>=-0.02 vs baseline",
        "--junit",
        "out.xml",
        "--timeout",
        "30",
      ],
      env,
    );
    expect(parsed).toMatchObject({
      command: "eval",
      url: "https://sy.example.test",
      apiKey: "sk-test",
      junit: "out.xml",
      markdown: null,
      timeoutSeconds: 30,
      runId: null,
      request: {
        prompt: "support",
        candidate: 4,
        baseline: "production",
        dataset: "golden@2",
        evaluators: ["exact", "judge@3"],
        thresholds: [
          { metric: "overall", threshold: 0.8 },
          { metric: "exact", stat: "pass_rate", minAbsoluteChange: -0.02 },
        ],
      },
    });
  });

  it("lets flags override the environment and gates a model version", () => {
    const parsed = parseCli(
      [
        "eval",
        "--model-name",
        "gpt-small",
        "--candidate",
        "2",
        "--baseline",
        "1",
        "--dataset",
        "d",
        "--evaluator",
        "e",
        "--threshold",
        "overall>=0.5",
        "--url",
        "http://127.0.0.1:9",
        "--api-key",
        "sk-flag",
      ],
      env,
    );
    expect(parsed).toMatchObject({
      url: "http://127.0.0.1:9",
      apiKey: "sk-flag",
      request: { modelName: "gpt-small", candidate: 2, baseline: "1" },
    });
  });

  it("waits on an existing run with --run", () => {
    const id = "6f1c2f5e-0d5b-4a43-9a55-0a7e3b1e2c11";
    expect(parseCli(["eval", "--run", id], env)).toMatchObject({ runId: id, request: null });
    expect(() => parseCli(["eval", "--run", id, "--prompt", "x"], env)).toThrow(
      "--run waits on an existing run: drop --prompt",
    );
    expect(() => parseCli(["eval", "--run", "nope"], env)).toThrow("expected an eval run id");
  });

  it.each([
    [["eval", "--candidate", "4"], "--prompt <name> or --model-name <name>"],
    [["eval", "--prompt", "a", "--model-name", "b"], "--prompt <name> or --model-name <name>"],
    [["eval", "--prompt", "a", "--candidate", "four"], "--candidate 'four': expected a whole number"],
    [["eval", "--prompt", "a", "--candidate", "1", "--dataset", "d", "--evaluator", "e"], "--threshold is required"],
    [
      ["eval", "--prompt", "a", "--candidate", "1", "--dataset", "d", "--threshold", "overall>=1"],
      "--evaluator <name> is required",
    ],
    [["eval", "--bogus"], "Unknown option '--bogus'"],
    [["deploy"], "Unknown command 'deploy'"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCli(argv, env)).toThrow(message);
  });

  it("needs a server and a key, and answers help and version without them", () => {
    expect(() => parseCli(base, {})).toThrow("Set SWITCHYARD_URL");
    expect(() => parseCli(base, { SWITCHYARD_URL: "http://x" })).toThrow("Set SWITCHYARD_API_KEY");
    expect(parseCli([], {})).toEqual({ command: "help" });
    expect(parseCli(["--help"], {})).toEqual({ command: "help" });
    expect(parseCli(["-v"], {})).toEqual({ command: "version" });
  });
});

const metric = (mean: number, passRate: number) => ({
  n: 20,
  mean,
  ci: [0, 1] as [number, number],
  passRate,
  passCi: [0, 1] as [number, number],
});
const target = (label: string, score: number) => ({
  targetId: label,
  position: 0,
  label,
  results: 20,
  errors: 1,
  overall: metric(score, score),
  evaluators: {},
  latencyP50Ms: 100,
  latencyP95Ms: 250,
  costUsd: 0.01,
  evalCostUsd: 0,
  tokensIn: 1,
  tokensOut: 1,
});

const view: GateView = {
  id: "run-1",
  name: "gate: prompt support v4 vs production (v3)",
  status: "completed",
  doneCases: 20,
  totalCases: 20,
  error: null,
  passed: false,
  gate: {
    passed: false,
    checks: [
      {
        metric: "overall",
        stat: "mean",
        value: 0.85,
        baseline: 0.8,
        passed: true,
        message: "overall mean 0.850 meets the minimum 0.800",
      },
      {
        metric: "exact",
        stat: "pass_rate",
        value: 0.7,
        baseline: 0.8,
        passed: false,
        message: 'exact pass rate 70.0 % < 80.0 % | "quoted" & <tagged>',
      },
      { metric: "exact", stat: "pass_rate", value: 0.7, baseline: 0.8, passed: true, message: "second bound" },
      { metric: "latency_p95_ms", stat: "value", value: 250, baseline: null, passed: true, message: "latency ok" },
    ],
  },
  candidate: target("support v4 · candidate", 0.85),
  baseline: target("support production (v3) · baseline", 0.8),
  notes: ["a note"],
  links: { console: "/projects/demo/evals/run-1", api: "/api/rest/eval-gates/run-1" },
};

/** Well-formed XML (every element closed in order, attributes quoted, entities known): enough for the test. */
function assertWellFormed(text: string) {
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  const body = text.replace(/^<\?xml[^>]*\?>/, "");
  const stack: string[] = [];
  for (const match of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
  }
  expect(stack).toEqual([]);
  // Every "<" starts a tag the walk above understood; every "&" an entity.
  expect(body.replace(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g, "")).not.toMatch(/</);
  expect(body.replace(/&(amp|lt|gt|quot|apos);/g, "")).not.toMatch(/&/);
}

describe("JUnit XML", () => {
  it("has one test case per check, failures with their message, and counts that add up", () => {
    const text = renderJUnit(view, {
      baseUrl: "https://sy.example.test",
      seconds: 12.5,
      timestamp: "2026-12-06T10:00:00.123Z",
    });
    assertWellFormed(text);
    expect(text).toContain('<testsuites name="switchyard eval" tests="4" failures="1" errors="0" time="12.500">');
    expect(text).toContain(
      'tests="4" failures="1" errors="0" skipped="0" time="12.500" timestamp="2026-12-06T10:00:00"',
    );
    expect(text.match(/<testcase /g)).toHaveLength(4);
    expect(text).toContain('name="exact.pass_rate" time="0">');
    expect(text).toContain('name="exact.pass_rate [2]" time="0"/>');
    expect(text).toContain('name="latency_p95_ms"');
    expect(text).toContain(
      '<failure message="exact pass rate 70.0 % &lt; 80.0 % | &quot;quoted&quot; &amp; &lt;tagged&gt;" type="GateThreshold">',
    );
    expect(text).toContain('<property name="url" value="https://sy.example.test/projects/demo/evals/run-1"/>');
  });

  it("reports a run that could not be judged as one errored test case", () => {
    const text = renderJUnit(null, { baseUrl: "x", seconds: 1, error: "Gave up waiting after 5 s", runId: "r-9" });
    assertWellFormed(text);
    expect(text).toContain('tests="1" failures="0" errors="1"');
    expect(text).toContain('<error message="Gave up waiting after 5 s" type="GateError">');
    expect(text).toContain('<property name="run" value="r-9"/>');
  });

  it("drops characters XML cannot carry", () => {
    expect(xml("a\u0001b\u001Fc<")).toBe("abc&lt;");
  });
});

describe("Markdown and the table", () => {
  it("summarises the verdict with a row per check, escaping pipes, and links the run", () => {
    const text = renderMarkdown(view, { baseUrl: "https://sy.example.test" });
    expect(text).toContain("### ❌ Switchyard gate failed: gate: prompt support v4 vs production (v3)");
    expect(text).toContain("1 of 4 checks failed.");
    expect(text).toContain(
      '| ❌ | `exact.pass_rate` | 70.0 % | 80.0 % | exact pass rate 70.0 % < 80.0 % \\| "quoted" & <tagged> |',
    );
    expect(text).toContain("| support v4 · candidate | 0.850 | 85.0 % | 250 ms | $0.0005 | 1/20 |");
    expect(text).toContain("> a note");
    expect(text).toContain("[Open the run in Switchyard](https://sy.example.test/projects/demo/evals/run-1)");
    const passed = renderMarkdown(
      { ...view, passed: true, gate: { passed: true, checks: [view.gate!.checks[0]] } },
      { baseUrl: "" },
    );
    expect(passed).toContain("### ✅ Switchyard gate passed");
    expect(passed).toContain("All 1 checks passed.");
  });

  it("prints a table with the outcome and each check", () => {
    const text = renderTable(view, "https://sy.example.test");
    expect(text.split("\n")[0]).toBe("Gate FAILED: gate: prompt support v4 vs production (v3)");
    expect(text).toMatch(/FAIL {2}exact\.pass_rate +70\.0 % +80\.0 % +exact pass rate/);
    expect(text).toMatch(/pass {2}latency_p95_ms +250 ms +— +latency ok/);
    expect(text).toContain("details: https://sy.example.test/projects/demo/evals/run-1");
  });
});
