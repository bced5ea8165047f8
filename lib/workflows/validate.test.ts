import { describe, expect, it } from "vitest";
import { evaluate, parseExpression, resolveValue } from "./expressions";
import { CANARY_RELEASE_TEMPLATE } from "./templates/canary-release";
import { validateWorkflow } from "./validate";

const errorsOf = (source: string) => validateWorkflow(source).errors;
const first = (source: string) => {
  const errors = errorsOf(source);
  expect(errors.length).toBeGreaterThan(0);
  return errors[0];
};

const ok = `name: ok
steps:
  hook:
    uses: webhook
    with: { url: "https://example.com/x" }
  next:
    uses: webhook
    needs: [hook]
    with: { url: "https://example.com/y", body: { status: "\${{ steps.hook.outputs.status }}" } }
`;

describe("validateWorkflow", () => {
  it("accepts a valid document and orders its steps", () => {
    const r = validateWorkflow(ok);
    expect(r.errors).toEqual([]);
    expect(r.definition?.order).toEqual(["hook", "next"]);
    expect(r.definition?.triggers).toEqual([{ type: "manual" }]);
  });

  it("accepts the shipped template", () => {
    expect(errorsOf(CANARY_RELEASE_TEMPLATE)).toEqual([]);
  });

  it("refuses a YAML syntax error at its line", () => {
    const e = first("name: x\nsteps:\n  a:\n    uses: webhook\n    with: { url: [\n  b: 1\n");
    expect(e.message).toMatch(/^YAML syntax/);
    expect(e.line).toBeGreaterThanOrEqual(5);
    const indent = first("name: x\nsteps:\n  a:\n    uses: webhook\n   bad: indent\n");
    expect(indent).toMatchObject({ line: 5, column: 1, message: expect.stringContaining("same column") });
  });

  it("refuses duplicate keys at the second one", () => {
    const e = first("name: x\nname: y\nsteps: {}\n");
    expect(e).toMatchObject({ line: 2, column: 1 });
  });

  it("names an unknown top-level property at its key", () => {
    expect(first("name: x\nstepz: {}\nsteps:\n  a: { uses: webhook, with: { url: 'https://e.com' } }\n")).toMatchObject(
      {
        line: 2,
        column: 1,
        message: expect.stringContaining("unknown property 'stepz'"),
      },
    );
  });

  it("names a missing required property", () => {
    expect(first("steps:\n  a: { uses: webhook, with: { url: 'https://e.com' } }\n").message).toContain(
      "'name' is required",
    );
  });

  it("names a wrongly typed value at the value", () => {
    const e = first(
      "name: x\nsteps:\n  a:\n    uses: webhook\n    retry: { attempts: many }\n    with: { url: 'https://e.com' }\n",
    );
    expect(e).toMatchObject({ line: 5, column: 24, path: "steps.a.retry.attempts" });
  });

  it("refuses an unknown step type at `uses`", () => {
    expect(first("name: x\nsteps:\n  a:\n    uses: deploy\n")).toMatchObject({
      line: 4,
      column: 11,
      message: expect.stringContaining("Unknown step type 'deploy'"),
    });
  });

  it("checks `with` against the step type", () => {
    const e = first(
      "name: x\nsteps:\n  a:\n    uses: webhook\n    with:\n      url: https://e.com\n      method: GET\n",
    );
    expect(e).toMatchObject({ line: 7, column: 7, message: expect.stringContaining("unknown property 'method'") });
    const p = first("name: x\nsteps:\n  a:\n    uses: promote\n    with: { label: production, version: 2 }\n");
    expect(p.message).toContain("exactly one of prompt or model");
    expect(p.line).toBe(5);
  });

  it("refuses an unknown need at the entry", () => {
    const e = first(`${ok}  third:\n    uses: webhook\n    needs: [hook, nope]\n    with: { url: "https://e.com" }\n`);
    expect(e).toMatchObject({ line: 12, column: 19, message: "'third' needs 'nope', which is not a step" });
  });

  it("detects a cycle", () => {
    const src =
      "name: x\nsteps:\n  a: { uses: webhook, needs: c, with: { url: 'https://e.com' } }\n  b: { uses: webhook, needs: a, with: { url: 'https://e.com' } }\n  c: { uses: webhook, needs: b, with: { url: 'https://e.com' } }\n";
    const e = first(src);
    expect(e.message).toMatch(/cycle: a → c → b → a|cycle/);
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(
      first("name: x\nsteps:\n  a: { uses: webhook, needs: a, with: { url: 'https://e.com' } }\n").message,
    ).toContain("cannot need itself");
  });

  it("refuses a bad `if` expression at the offending character", () => {
    const src = "name: x\nsteps:\n  a:\n    uses: webhook\n    if: inputs.x = 3\n    with: { url: 'https://e.com' }\n";
    const e = first(src);
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/Invalid expression/);
    expect(first(src.replace("inputs.x = 3", "inputs.x + 1 > 2")).message).toContain("'+' is not allowed");
    expect(first(src.replace("inputs.x = 3", "eval('x')")).message).toContain("success(), failure() and always()");
  });

  it("refuses references that are not upstream, unknown outputs and unknown inputs", () => {
    const notUpstream = ok.replace("needs: [hook]", "needs: []");
    const e = first(notUpstream);
    expect(e.message).toContain("'hook' is not upstream of 'next'");
    expect(e.line).toBe(9);
    expect(e.column).toBeGreaterThan(50);
    expect(first(ok.replace("outputs.status", "outputs.nope")).message).toContain("outputs are status, body");
    expect(first(ok.replace("steps.hook.outputs.status", "inputs.missing")).message).toContain(
      "'inputs.missing': no such input",
    );
    expect(first(ok.replace("steps.hook.outputs.status", "trigger.nope")).message).toContain("the trigger has");
    expect(first(ok.replace("steps.hook.outputs.status", "env.HOME")).message).toContain(
      "starts with steps, inputs or trigger",
    );
  });

  it("checks triggers: unknown kind, cron, one subject", () => {
    const base = "name: x\ntriggers:\n  - TRIGGER\nsteps:\n  a: { uses: webhook, with: { url: 'https://e.com' } }\n";
    expect(first(base.replace("TRIGGER", "push: {}"))).toMatchObject({
      line: 3,
      message: expect.stringContaining("Unknown trigger 'push'"),
    });
    expect(first(base.replace("TRIGGER", "schedule: { cron: 'every day' }")).message).toContain("Invalid cron");
    expect(first(base.replace("TRIGGER", "new_version: { prompt: a, model: b }")).message).toContain(
      "exactly one of prompt or model",
    );
    expect(first(base.replace("TRIGGER", "label_moved: { prompt: a }")).message).toContain("label_moved.label");
  });

  it("checks input defaults and timeouts", () => {
    const src =
      "name: x\ninputs:\n  n: { type: number, default: 'three' }\nsteps:\n  a: { uses: webhook, timeout: 10m, with: { url: 'https://e.com' } }\n";
    expect(first(src)).toMatchObject({ line: 3, message: "The default of 'n' must be a number" });
    expect(first(src.replace("'three'", "3").replace("10m", "ten minutes")).message).toContain("duration");
    expect(validateWorkflow(src.replace("'three'", "3")).definition?.steps.a.timeoutSeconds).toBe(600);
  });

  it("refuses a document that is not a mapping", () => {
    expect(first("- a\n- b\n").message).toContain("mapping");
  });
});

describe("expressions", () => {
  const ctx = {
    steps: { e: { status: "succeeded", outputs: { passed: true, score: 0.8, run_id: "r1" } } },
    inputs: { n: 3, name: "bot" },
    trigger: { version: 4 },
    needsSucceeded: true,
    needsFailed: false,
  };
  const run = (text: string) => evaluate(parseExpression(text), ctx);

  it("compares, combines and negates", () => {
    expect(run("steps.e.outputs.passed == true && steps.e.outputs.score >= 0.75")).toBe(true);
    expect(run("!(inputs.n > 2) || inputs.name != 'bot'")).toBe(false);
    expect(run("trigger.version == '4'")).toBe(true);
    expect(run("steps.e.outputs.missing == null")).toBe(true);
    expect(run("inputs.n < -1")).toBe(false);
    expect(run("always()")).toBe(true);
    expect(run("failure()")).toBe(false);
  });

  it("refuses anything beyond the grammar", () => {
    for (const bad of ["a = 1", "x ? 1 : 2", "[1, 2]", "f(1)", "a + b", "a; b", "this.constructor"])
      expect(() => parseExpression(bad), bad).toThrow();
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression syntax, not a JS template
  it("resolves ${{ }} keeping a whole expression's type and interpolating text", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression syntax, not a JS template
    expect(resolveValue("${{ inputs.n }}", ctx)).toBe(3);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression syntax, not a JS template
    expect(resolveValue({ a: ["v${{ trigger.version }} of ${{ inputs.name }}"] }, ctx)).toEqual({ a: ["v4 of bot"] });
  });
});
