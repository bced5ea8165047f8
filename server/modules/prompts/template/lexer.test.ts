import { tokenize } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import { lex, TemplateSyntaxError } from "./lexer";

// The lexer is a port of the library's (to get positions); these templates pin that both produce the
// same tokens, so a library upgrade that changes lexing fails here first.
const CORPUS = [
  "Hello {{ name }}!",
  "Answer.\n{% for ex in examples %}\nQ: {{ ex.input }}\nA: {{ ex.output }}\n{% endfor %}\nQ: {{ question }}\n",
  "  {%- if chain_of_thought -%}\n  Think.\n  {% endif %}\ntail\n",
  "{# a comment #}{{- x | default('n/a') | upper -}}  \n {{ y[0:2] }}{{ -1 + 2.5 * z }}",
  "{% set ns = namespace(total=0) %}{% for k, v in d.items() %}{% set ns.total = ns.total + v %}{% endfor %}{{ ns.total }}",
  "{{ {'a': {'b': 1}} }}{{ 'it\\'s' ~ \"\\n\" }}{{ x if y else z }}{{ a is not defined and b in [1, 2] }}",
  "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('x') }}",
  "\t{% if a %}\n\t\tx\n\t{% elif b %}\n\ty\n{% else %}\nz\n{% endif %}",
  "{%- generation -%}kept{% endgeneration %}",
  "{#- strip -#}  text {{ 10 // 3 ** 2 }} {{ x != y }} {{ not z }}",
];

describe("lex (position-recording port of the library's lexer)", () => {
  it.each(CORPUS)("produces the library's tokens for %j", (template) => {
    const library = tokenize(template, { lstrip_blocks: true, trim_blocks: true }).map(({ value, type }) => ({
      value,
      type,
    }));
    expect(lex(template).tokens).toEqual(library);
  });

  it("records where each token starts in the original template", () => {
    const template = "Hi\n  {% if x %}\n{{ user.name }}";
    const { tokens, offsets } = lex(template);
    const at = (value: string) => offsets[tokens.findIndex((t) => t.value === value)];
    expect(template.slice(at("if"))).toMatch(/^if x/);
    expect(template.slice(at("user"))).toMatch(/^user\.name/);
    expect(template.slice(at("name"))).toMatch(/^name }}/);
  });

  it("reports the offset of a bad character", () => {
    const template = "ok\n{{ a $ b }}";
    expect(() => lex(template)).toThrow(TemplateSyntaxError);
    try {
      lex(template);
    } catch (error) {
      expect((error as TemplateSyntaxError).offset).toBe(template.indexOf("$"));
      expect((error as Error).message).toBe("Unexpected character: $");
    }
  });
});
