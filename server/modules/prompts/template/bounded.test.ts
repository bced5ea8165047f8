import { describe, expect, it } from "vitest";
import { outputBound, templateBound } from "./bounded";
import { compilePrompt } from "./compile";
import { renderPrompt } from "./render";

const bound = (template: string) => templateBound(compilePrompt(template));

describe("templateBound: what may render on the main thread", () => {
  it("accepts straight-line templates and bounds their output by their text and variables", () => {
    const template = 'Hi {{ name | title }}{% if vip is defined and vip %}, {{ vip | default("guest") }}{% endif %}.';
    const found = bound(template);
    expect(found).not.toBeNull();
    const variables = { name: "ada lovelace", vip: "VIP" };
    const rendered = renderPrompt(template, variables);
    const chars = { chars: "ada lovelace".length + "VIP".length + "namevip".length, items: 2 };
    expect(rendered.type === "text" && rendered.text.length).toBeLessThanOrEqual(outputBound(found!, chars));
  });

  it("refuses loops, macros, calls, set, multiplying filters and operators", () => {
    for (const template of [
      "{% for x in xs %}{{ x }}{% endfor %}",
      "{% macro m() %}x{% endmacro %}{{ m() }}",
      "{{ range(3) }}",
      "{% set y = x ~ x %}{{ y ~ y }}",
      "{{ xs | join(',') }}",
      "{{ x | replace('a', 'bbbbbbbb') }}",
      "{{ x * 3 }}",
      "{% filter upper %}{{ x }}{% endfilter %}",
      "{{ x.upper() }}",
    ])
      expect(bound(template), template).toBeNull();
  });
});
