import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { lintPrompt, validatePrompt } from "./lint";
import { renderPrompt } from "./render";

describe("lintPrompt / validatePrompt", () => {
  it("lists every problem with its position, without throwing", () => {
    const problems = lintPrompt([
      { role: "system", content: "{{ a | uppr }}" },
      { role: "user", content: "{{ x $ }}" },
    ]);
    expect(problems.map((p) => [p.kind, p.path, p.position?.line, p.position?.column, p.message])).toEqual([
      ["filter", "messages.0.content", 1, 8, 'Unknown filter "uppr" (did you mean "upper"?)'],
      ["syntax", "messages.1.content", 1, 6, "Unexpected character: $"],
    ]);
  });

  it("reports unresolved includes only when a lookup is given", () => {
    expect(lintPrompt("{% include 'shared/x' %}")).toEqual([]);
    expect(lintPrompt("{% include 'shared/x' %}", { resolveInclude: {} }).map((p) => p.message)).toEqual([
      'Include "shared/x" was not resolved (resolve includes before rendering)',
    ]);
  });

  it("throws one VALIDATION error with all problems as issues", () => {
    expect(() => validatePrompt("{{ a | nope }}{{ b | nada }}")).toThrow(DomainError);
    try {
      validatePrompt("{{ a | nope }}{{ b | nada }}");
    } catch (error) {
      expect((error as DomainError).issues.map((i) => i.message.split("\n")[0])).toEqual([
        'line 1, column 8: Unknown filter "nope"',
        'line 1, column 22: Unknown filter "nada"',
      ]);
    }
  });
});

describe("include whitespace", () => {
  const snippets = { s: { key: "s@1", template: "SNIPPET\n" } };
  it("keeps the line break after an include tag, drops indentation before it", () => {
    expect(renderPrompt("A\n  {% include 's' %}\nB", {}, { resolveInclude: snippets })).toEqual({
      type: "text",
      text: "A\nSNIPPET\nB",
    });
  });
  it("glues with whitespace control", () => {
    expect(renderPrompt("A\n{%- include 's' -%}\nB", {}, { resolveInclude: snippets })).toEqual({
      type: "text",
      text: "ASNIPPETB",
    });
    expect(renderPrompt("A {% include 's' %}\n{{- 'B' }}", {}, { resolveInclude: snippets })).toEqual({
      type: "text",
      text: "A SNIPPETB",
    });
  });
});
