import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { detectVariables } from "./variables";

const names = (template: Parameters<typeof detectVariables>[0]) => detectVariables(template).map((v) => v.name);

describe("detectVariables", () => {
  it("lists free variables in order of first use, with line and column", () => {
    const template =
      "Hello {{ name }}!\n{% if chain_of_thought %}\n  Think about {{ topic }}, {{ name }}.\n{% endif %}";
    expect(detectVariables(template)).toEqual([
      { name: "name", kind: "scalar", required: true, fields: [], position: { path: "template", line: 1, column: 10 } },
      {
        name: "chain_of_thought",
        kind: "scalar",
        required: true,
        fields: [],
        position: { path: "template", line: 2, column: 7 },
      },
      {
        name: "topic",
        kind: "scalar",
        required: true,
        fields: [],
        position: { path: "template", line: 3, column: 18 },
      },
    ]);
  });

  it("reports the iterable, not the loop variable, as a list with its items' fields", () => {
    const template =
      "{% for ex in examples %}\nQ: {{ ex.input }}\nA: {{ ex['output'] }} {{ ex.label }} {{ loop.index }}\n{% endfor %}";
    expect(detectVariables(template)).toEqual([
      {
        name: "examples",
        kind: "list",
        required: true,
        fields: ["input", "label"],
        position: { path: "template", line: 1, column: 14 },
      },
    ]);
  });

  it("reports attribute roots as objects with their fields", () => {
    const [user] = detectVariables("{{ user.profile.name }} {{ user.email | lower }} {{ user.name.upper() }}");
    expect(user).toMatchObject({ name: "user", kind: "object", fields: ["email", "name", "profile"] });
  });

  it("a list stays a list when also read otherwise", () => {
    const [docs] = detectVariables("{{ docs | length }} {% for d in docs | reverse %}{{ d }}{% endfor %}");
    expect(docs).toMatchObject({ name: "docs", kind: "list", position: { line: 1, column: 4 } });
  });

  it("excludes loop variables, set targets, macro parameters and globals", () => {
    const template = [
      "{% set greeting = 'Hi' %}{{ greeting }}",
      "{% for k, v in pairs %}{{ k }}={{ v }}{% endfor %}",
      "{% macro show(item, sep=', ') %}{{ item }}{{ sep }}{{ suffix }}{% endmacro %}{{ show(first) }}",
      "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}",
      "{{ true }}{{ none }}",
    ].join("\n");
    expect(names(template)).toEqual(["pairs", "suffix", "first"]);
  });

  it("follows Jinja scoping: loop variables do not leak, uses before a set are free", () => {
    expect(names("{% for x in xs %}{{ x }}{% endfor %}{{ x }}")).toEqual(["xs", "x"]);
    expect(names("{{ title }}{% set title = 'T' %}{{ title }}")).toEqual(["title"]);
    expect(names("{% for x in xs if x.ok %}{{ x }}{% else %}{{ empty_text }}{% endfor %}")).toEqual([
      "xs",
      "empty_text",
    ]);
  });

  it("marks variables optional only when every use is guarded", () => {
    const template = [
      "{% if context is defined %}Context: {{ context }}{% endif %}",
      "{{ style | default('plain') }}",
      "{{ extra.note if extra is defined else '' }}",
      "{% if strict is not defined or strict %}strict{% endif %}",
      "{% if tone is defined %}{% endif %}{{ tone }}",
    ].join("\n");
    expect(detectVariables(template).map((v) => [v.name, v.required])).toEqual([
      ["context", false],
      ["style", false],
      ["extra", false],
      ["strict", false],
      ["tone", true],
    ]);
  });

  it("reports per-message positions for chat templates", () => {
    const chat = [
      { role: "system" as const, content: "You are {{ persona }}." },
      { role: "user" as const, content: "Context:\n{{ context }}\n\nQuestion: {{ question }} ({{ persona }})" },
    ];
    expect(detectVariables(chat).map((v) => [v.name, v.position])).toEqual([
      ["persona", { path: "messages.0.content", message: 0, line: 1, column: 12 }],
      ["context", { path: "messages.1.content", message: 1, line: 2, column: 4 }],
      ["question", { path: "messages.1.content", message: 1, line: 4, column: 14 }],
    ]);
  });

  it("orders by source position, not by evaluation order", () => {
    expect(names("{{ a if b else c }}")).toEqual(["a", "b", "c"]);
  });

  it("throws a VALIDATION error for a template that does not parse", () => {
    expect(() => detectVariables("{% for x in %}{% endfor %}")).toThrow(DomainError);
  });
});
