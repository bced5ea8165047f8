import { describe, expect, it, vi } from "vitest";
import { DomainError } from "@/server/errors";
import { collectIncludes, type ResolvedSnippet, resolveIncludes } from "./includes";
import { parseIncludeRef } from "./refs";
import { renderPrompt } from "./render";
import { detectVariables } from "./variables";

/** A tiny registry: ref -> snippet. Keys name exact versions, as the real resolver's would. */
function registry(entries: Record<string, ResolvedSnippet>) {
  const calls: string[] = [];
  const resolver = vi.fn(async (ref: { ref: string }) => {
    calls.push(ref.ref);
    return entries[ref.ref] ?? null;
  });
  return { resolver, calls };
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("VALIDATION");
    return error as DomainError;
  }
  throw new Error("expected a rejection");
}

const SNIPPETS = {
  "shared/tone@production": { key: "shared/tone@v2", template: "Always answer in a {{ tone }} tone.\n" },
  "shared/tone@1": { key: "shared/tone@v1", template: "Be polite." },
  "shared/format": {
    key: "shared/format@v5",
    template: 'Format: {{ format }}.\n{% include "shared/tone@production" %}',
  },
  "shared/example": { key: "shared/example@v1", template: "- {{ ex.input }} => {{ ex.output }}" },
};

describe("include references", () => {
  it("parses name, name@label and name@version", () => {
    expect(parseIncludeRef("shared/tone")).toEqual({ ref: "shared/tone", name: "shared/tone" });
    expect(parseIncludeRef("shared/tone@latest")).toEqual({ ref: "shared/tone", name: "shared/tone" });
    expect(parseIncludeRef("shared/tone@production")).toEqual({
      ref: "shared/tone@production",
      name: "shared/tone",
      label: "production",
    });
    expect(parseIncludeRef("shared/tone@3")).toEqual({ ref: "shared/tone@3", name: "shared/tone", version: 3 });
    expect(parseIncludeRef("bad name")).toHaveProperty("error");
    expect(parseIncludeRef("x@0")).toEqual({ error: '"x@0": versions start at 1' });
  });

  it("collects the include tags of every message, with positions", () => {
    const chat = [
      { role: "system" as const, content: 'Intro\n  {% include "shared/tone@production" %}' },
      { role: "user" as const, content: "{% include 'shared/format' ignore missing %}{{ q }}" },
    ];
    expect(collectIncludes(chat)).toEqual([
      {
        ref: { ref: "shared/tone@production", name: "shared/tone", label: "production" },
        ignoreMissing: false,
        position: { path: "messages.0.content", message: 0, line: 2, column: 3 },
      },
      {
        ref: { ref: "shared/format", name: "shared/format" },
        ignoreMissing: true,
        position: { path: "messages.1.content", message: 1, line: 1, column: 1 },
      },
    ]);
  });

  it("refuses malformed include tags", () => {
    expect(() => collectIncludes("{% include name %}")).toThrow(/include needs a quoted prompt reference/);
    expect(() => collectIncludes('{% include "a" with context %}')).toThrow(
      /Expected "%}" after the include reference/,
    );
    expect(() => collectIncludes('{% include "a b" %}')).toThrow(/is not a prompt reference/);
  });
});

describe("resolveIncludes + renderPrompt", () => {
  it("resolves nested includes by label and version and renders them in place", async () => {
    const { resolver, calls } = registry(SNIPPETS);
    const template =
      'You help with billing.\n{% include "shared/format" %}\n{% include "shared/tone@1" %}\nQuestion: {{ q }}';
    const resolved = await resolveIncludes(template, resolver);
    expect(Object.keys(resolved).sort()).toEqual(["shared/format", "shared/tone@1", "shared/tone@production"]);
    expect(calls.sort()).toEqual(["shared/format", "shared/tone@1", "shared/tone@production"]);

    const out = renderPrompt(template, { format: "JSON", tone: "friendly", q: "Why?" }, { resolveInclude: resolved });
    expect(out).toEqual({
      type: "text",
      text: "You help with billing.\nFormat: JSON.\nAlways answer in a friendly tone.\nBe polite.\nQuestion: Why?",
    });
  });

  it("lets snippets see the includer's variables, loop variables included (the line break after the tag stays)", async () => {
    const template = "{% for ex in examples %}{% include 'shared/example' %}\n{% endfor %}";
    const resolved = await resolveIncludes(template, registry(SNIPPETS).resolver);
    const out = renderPrompt(
      template,
      {
        examples: [
          { input: "2+2", output: "4" },
          { input: "3+3", output: "6" },
        ],
      },
      { resolveInclude: resolved },
    );
    expect(out).toEqual({ type: "text", text: "- 2+2 => 4\n- 3+3 => 6\n" });
  });

  it("counts a resolved snippet's variables, with positions inside the snippet", async () => {
    const template = 'Intro {{ q }}\n{% include "shared/format" %}';
    const resolved = await resolveIncludes(template, registry(SNIPPETS).resolver);
    expect(detectVariables(template).map((v) => v.name)).toEqual(["q"]);
    expect(detectVariables(template, { resolveInclude: resolved }).map((v) => [v.name, v.position])).toEqual([
      ["q", { path: "template", line: 1, column: 10 }],
      ["format", { path: "template", include: ["shared/format"], line: 1, column: 12 }],
      ["tone", { path: "template", include: ["shared/format", "shared/tone@production"], line: 1, column: 23 }],
    ]);
  });

  it("reports a missing variable used inside a snippet with the include chain", async () => {
    const template = '{% include "shared/format" %}';
    const resolved = await resolveIncludes(template, registry(SNIPPETS).resolver);
    const error = (() => {
      try {
        renderPrompt(template, { format: "x" }, { resolveInclude: resolved });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error?.issues).toEqual([
      {
        path: "variables.tone",
        message:
          'template line 1, column 23 of include "shared/format" → "shared/tone@production": Missing variable "tone"',
      },
    ]);
  });

  it("refuses an include cycle, naming the chain", async () => {
    const { resolver } = registry({
      a: { key: "a@v1", template: "A {% include 'b@production' %}" },
      "b@production": { key: "b@v4", template: "B {% include 'a' %}" },
    });
    const error = await rejection(resolveIncludes("Root {% include 'a' %}", resolver));
    expect(error.message).toBe(
      'Include cycle: "a" → "b@production" → "a" (template line 1, column 3 of include "a" → "b@production")\n1 | B {% include \'a\' %}\n  |   ^',
    );
  });

  it("refuses a snippet that includes the prompt being rendered (rootKey)", async () => {
    const { resolver } = registry({
      "shared/x": { key: "shared/x@v1", template: "{% include 'support/answer@production' %}" },
      "support/answer@production": { key: "support/answer@v7", template: "loop" },
    });
    const error = await rejection(
      resolveIncludes("{% include 'shared/x' %}", resolver, { rootKey: "support/answer@v7" }),
    );
    expect(error.message.split(" (")[0]).toBe('Include cycle: template → "shared/x" → "support/answer@production"');
  });

  it("enforces the maximum depth", async () => {
    const chain: Record<string, ResolvedSnippet> = {};
    for (let i = 1; i <= 12; i++)
      chain[`s${i}`] = { key: `s${i}`, template: i < 12 ? `{% include 's${i + 1}' %}` : "end" };
    const error = await rejection(resolveIncludes("{% include 's1' %}", registry(chain).resolver, { maxDepth: 10 }));
    expect(error.message.split(" (")[0]).toBe(
      'Includes are nested more than 10 deep: template → "s1" → "s2" → "s3" → "s4" → "s5" → "s6" → "s7" → "s8" → "s9" → "s10" → "s11"',
    );
    // Exactly at the limit is fine.
    await expect(
      resolveIncludes("{% include 's3' %}", registry(chain).resolver, { maxDepth: 10 }),
    ).resolves.toBeTruthy();
  });

  it("reports a missing include clearly, unless it says `ignore missing`", async () => {
    const { resolver } = registry(SNIPPETS);
    const error = await rejection(resolveIncludes("Hi\n{% include 'shared/tone@staging' %}", resolver));
    expect(error.issues).toEqual([
      {
        path: "template",
        message:
          'line 2, column 1: Included prompt "shared/tone@staging" was not found (no prompt "shared/tone" with label "staging")\n2 | {% include \'shared/tone@staging\' %}\n  | ^',
      },
    ]);
    const template = "Hi{% include 'shared/nope' ignore missing %}!";
    const resolved = await resolveIncludes(template, resolver);
    expect(resolved).toEqual({ "shared/nope": null });
    expect(renderPrompt(template, {}, { resolveInclude: resolved })).toEqual({ type: "text", text: "Hi!" });
  });

  it("refuses to render an include that was not resolved", () => {
    expect(() => renderPrompt("{% include 'shared/tone' %}", {})).toThrow(/Include "shared\/tone" was not resolved/);
  });

  it("checks cycles and depth in a synchronous lookup too", () => {
    const lookup = (ref: { ref: string }) => ({ key: "self", template: `again {% include '${ref.ref}' %}` });
    expect(() => renderPrompt("{% include 'x' %}", {}, { resolveInclude: lookup })).toThrow(/Include cycle: "x" → "x"/);
  });

  it("reports a syntax error inside a snippet at its own position", async () => {
    const { resolver } = registry({ bad: { key: "bad@v1", template: "ok\n{{ x | }}" } });
    const error = await rejection(resolveIncludes("{% include 'bad' %}", resolver));
    expect(error.issues[0].message.split("\n")[0]).toBe('line 2, column 8 of include "bad": Unexpected "}}"');
  });

  it("scopes chat includes to their message", async () => {
    const chat = [
      { role: "system" as const, content: "{% include 'shared/tone@1' %}" },
      { role: "user" as const, content: "{{ q }}" },
    ];
    const resolved = await resolveIncludes(chat, registry(SNIPPETS).resolver);
    expect(renderPrompt(chat, { q: "hi" }, { resolveInclude: resolved })).toEqual({
      type: "chat",
      messages: [
        { role: "system", content: "Be polite." },
        { role: "user", content: "hi" },
      ],
    });
  });
});
