import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { renderPrompt } from "./render";

/** Runs `fn`, expecting a VALIDATION DomainError, and returns it. */
function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("VALIDATION");
    return error as DomainError;
  }
  throw new Error("expected a DomainError, but the render succeeded");
}

const FEW_SHOT = `You classify the sentiment of a review.
{% for ex in examples %}
Review: {{ ex.input }}
Sentiment: {{ ex.output }}
{% endfor %}
{% if chain_of_thought %}
Think step by step before answering.
{% endif %}
Review: {{ review }}
Sentiment:`;

const EXAMPLES = [
  { input: "Loved it", output: "positive" },
  { input: "Never again", output: "negative" },
];

describe("renderPrompt: text templates", () => {
  it("renders a few-shot loop exactly", () => {
    const out = renderPrompt(FEW_SHOT, { examples: EXAMPLES, chain_of_thought: false, review: "Fine, I guess" });
    expect(out).toEqual({
      type: "text",
      text: [
        "You classify the sentiment of a review.",
        "Review: Loved it",
        "Sentiment: positive",
        "Review: Never again",
        "Sentiment: negative",
        "Review: Fine, I guess",
        "Sentiment:",
      ].join("\n"),
    });
  });

  it("toggles the chain-of-thought block", () => {
    const on = renderPrompt(FEW_SHOT, { examples: [], chain_of_thought: true, review: "ok" });
    const off = renderPrompt(FEW_SHOT, { examples: [], chain_of_thought: false, review: "ok" });
    expect(on).toEqual({
      type: "text",
      text: "You classify the sentiment of a review.\nThink step by step before answering.\nReview: ok\nSentiment:",
    });
    expect(off).toEqual({ type: "text", text: "You classify the sentiment of a review.\nReview: ok\nSentiment:" });
  });

  it("accepts the typed content form and applies filters", () => {
    const out = renderPrompt(
      { type: "text", template: "{{ name | upper }} has {{ items | length }} items: {{ items | join(', ') }}" },
      {
        name: "ada",
        items: ["a", "b"],
      },
    );
    expect(out).toEqual({ type: "text", text: "ADA has 2 items: a, b" });
  });

  it("refuses a missing variable, naming it and where it is used, and renders nothing", () => {
    let rendered: unknown = "not rendered";
    const error = failure(() => {
      rendered = renderPrompt(FEW_SHOT, { examples: EXAMPLES, chain_of_thought: true });
    });
    expect(rendered).toBe("not rendered");
    expect(error.message).toBe('Missing variable "review" (template line 9, column 12)');
    expect(error.issues).toEqual([
      { path: "variables.review", message: 'template line 9, column 12: Missing variable "review"' },
    ]);
  });

  it("lists every missing variable as an issue", () => {
    const error = failure(() => renderPrompt("{{ a }} {{ b }}\n{{ a }} {{ c }}", { b: 1 }));
    expect(error.issues.map((i) => i.path)).toEqual(["variables.a", "variables.c"]);
    expect(error.message).toBe('Missing variable "a" (template line 1, column 4) (+1 more)');
  });

  it("treats a variable as optional only when guarded by `is defined` or `default`", () => {
    const template = "{% if name is defined %}Hi {{ name }}{% else %}Hi there{% endif %}, {{ tone | default('calm') }}";
    expect(renderPrompt(template, {})).toEqual({ type: "text", text: "Hi there, calm" });
    expect(renderPrompt(template, { name: "Ada", tone: "warm" })).toEqual({ type: "text", text: "Hi Ada, warm" });
  });

  it("refuses an unknown filter with its name, a suggestion and its position", () => {
    const error = failure(() => renderPrompt("Hello\n{{ name | uppercase }}", { name: "x" }));
    expect(error.message).toBe(
      'Unknown filter "uppercase" (did you mean "upper"?) (template line 2, column 11)\n2 | {{ name | uppercase }}\n  |           ^',
    );
    expect(error.issues[0].path).toBe("template");
    expect(error.issues[0].message).toMatch(/^line 2, column 11: Unknown filter "uppercase"/);
  });

  it("finds unknown filters and tests even in branches that would not run", () => {
    const error = failure(() =>
      renderPrompt("{% if false %}{{ x | shout }}{% endif %}{% if y is defind %}{% endif %}", {}),
    );
    expect(error.issues.map((i) => i.message.split("\n")[0])).toEqual([
      'line 1, column 22: Unknown filter "shout"',
      'line 1, column 52: Unknown test "defind" (did you mean "defined"?)',
    ]);
  });

  it("reports a syntax error with line, column and a caret excerpt", () => {
    const error = failure(() => renderPrompt("Line one\nLine two {{ user. }}\n", { user: {} }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0].path).toBe("template");
    expect(error.issues[0].message).toBe(
      'line 2, column 19: Unexpected "}}"\n2 | Line two {{ user. }}\n  |                   ^',
    );
    expect(error.message.startsWith("Template syntax error: ")).toBe(true);
  });

  it("explains unbalanced blocks and tags", () => {
    const endMismatch = failure(() => renderPrompt("{% if a %}\nx\n{% endfor %}", { a: 1 }));
    expect(endMismatch.issues[0].message.split("\n")[0]).toBe(
      'line 3, column 1: "{% endfor %}" cannot close the "{% if %}" opened at line 1, column 1: expected "{% endif %}"',
    );
    const unclosed = failure(() => renderPrompt("a\n  {% for x in xs %}\n{{ x }}", { xs: [] }));
    expect(unclosed.issues[0].message.split("\n")[0]).toBe(
      'line 2, column 3: "{% for %}" is never closed: expected "{% endfor %}"',
    );
    const openTag = failure(() => renderPrompt("Hi {{ name }\nbye", { name: "x" }));
    expect(openTag.issues[0].message.split("\n")[0]).toBe('line 1, column 4: "{{" is never closed: expected "}}"');
    const badChar = failure(() => renderPrompt("Hi\n\t{{ $name }}", {}));
    expect(badChar.issues[0].message).toBe("line 2, column 5: Unexpected character: $\n2 | \t{{ $name }}\n  | \t   ^");
  });

  it("refuses a string where a list is looped over, before rendering", () => {
    const error = failure(() => renderPrompt(FEW_SHOT, { examples: "Loved it", chain_of_thought: false, review: "x" }));
    expect(error.issues).toEqual([
      {
        path: "variables.examples",
        message: '"examples" must be a list: it is looped over at template line 2, column 14, but got a string',
      },
    ]);
  });

  it("refuses a scalar where attributes are read", () => {
    const error = failure(() => renderPrompt("{{ user.name }}", { user: "ada" }));
    expect(error.issues[0]).toEqual({
      path: "variables.user",
      message:
        '"user" must be an object: its attributes (like "name") are read at template line 1, column 4, but got a string',
    });
  });

  it("refuses to print an undefined attribute, with its position", () => {
    const error = failure(() =>
      renderPrompt("{% for ex in examples %}\n{{ ex.inptu }}\n{% endfor %}", { examples: EXAMPLES }),
    );
    expect(error.message).toBe(
      'Template render error: "ex.inptu" is undefined (template line 2, column 4)\n2 | {{ ex.inptu }}\n  |    ^',
    );
  });

  it("reports type errors from nested values at the loop", () => {
    const error = failure(() => renderPrompt("{% for t in ex.tags %}{{ t }}{% endfor %}", { ex: { tags: "a,b" } }));
    expect(error.issues[0].message.split("\n")[0]).toBe(
      'line 1, column 13: Cannot loop over "ex.tags": it is a string, not a list',
    );
  });

  it("reports a filter applied to the wrong type at the filter", () => {
    const error = failure(() => renderPrompt("{{ n | upper }}", { n: 3 }));
    expect(error.issues[0].message.split("\n")[0]).toBe(
      'line 1, column 8: Filter "upper" cannot be applied to a number',
    );
  });

  it("turns the library's crash on `first` of an empty list into an error", () => {
    const error = failure(() => renderPrompt("{{ xs | first }}", { xs: [] }));
    expect(error.issues[0].message.split("\n")[0]).toBe(
      'line 1, column 9: "xs | first" has no value (e.g. "first" or "last" of an empty list)',
    );
  });

  it("refuses reserved names as variables", () => {
    const error = failure(() => renderPrompt("{{ x }}", { x: 1, range: 2 }));
    expect(error.issues).toEqual([
      {
        path: "variables.range",
        message: '"range" is a reserved name in templates and cannot be passed as a variable',
      },
    ]);
  });

  it("keeps runtime globals and Jinja scoping", () => {
    const template =
      "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}{% set x = 'set' %} {{ x }}";
    expect(renderPrompt(template, {})).toEqual({ type: "text", text: "3 set" });
  });

  it("stops runaway templates", () => {
    const error = failure(() =>
      renderPrompt(
        "{% for a in range(1000) %}{% for b in range(1000) %}.{% endfor %}{% endfor %}",
        {},
        { maxSteps: 10_000 },
      ),
    );
    expect(error.message).toMatch(/more than 10000 steps/);
  });

  it("passes raise_exception's message through", () => {
    const error = failure(() => renderPrompt("{% if n > 3 %}{{ raise_exception('too many') }}{% endif %}", { n: 5 }));
    expect(error.issues[0].message.split("\n")[0]).toBe("line 1, column 18: The template raised an error: too many");
  });
});

describe("renderPrompt: chat templates", () => {
  const CHAT = [
    { role: "system" as const, content: "You are a {{ persona }}." },
    {
      role: "user" as const,
      content: "{% for ex in examples %}{{ ex.input }} -> {{ ex.output }}\n{% endfor %}Now: {{ question }}",
    },
  ];

  it("renders every message's content", () => {
    const out = renderPrompt(CHAT, { persona: "classifier", examples: EXAMPLES, question: "Meh" });
    expect(out).toEqual({
      type: "chat",
      messages: [
        { role: "system", content: "You are a classifier." },
        { role: "user", content: "Loved it -> positive\nNever again -> negative\nNow: Meh" },
      ],
    });
  });

  it("names the message of a missing variable", () => {
    const error = failure(() => renderPrompt(CHAT, { persona: "x", examples: [] }));
    expect(error.issues).toEqual([
      { path: "variables.question", message: 'messages.1.content line 2, column 21: Missing variable "question"' },
    ]);
  });

  it("puts syntax and filter errors on the message's content path", () => {
    const error = failure(() =>
      renderPrompt(
        [
          { role: "system", content: "ok" },
          { role: "user", content: "{{ a | nope }}" },
          { role: "assistant", content: "{% if %}{% endif %}" },
        ],
        { a: 1 },
      ),
    );
    expect(error.issues.map((i) => [i.path, i.message.split("\n")[0]])).toEqual([
      ["messages.1.content", 'line 1, column 8: Unknown filter "nope"'],
      ["messages.2.content", 'line 1, column 7: Unexpected "%}"'],
    ]);
  });

  it("renders nothing when a later message fails at runtime", () => {
    const error = failure(() =>
      renderPrompt(
        [
          { role: "system", content: "fine" },
          { role: "user", content: "{{ d.missing }}" },
        ],
        { d: {} },
      ),
    );
    expect(error.issues[0].path).toBe("messages.1.content");
    expect(error.message).toMatch(
      /^Template render error: "d.missing" is undefined \(messages.1.content line 1, column 4\)/,
    );
  });

  it("validates the prompt's shape", () => {
    const error = failure(() => renderPrompt([{ role: "robot", content: "x" }] as never, {}));
    expect(error.issues[0].path).toBe("messages.0.role");
    expect(failure(() => renderPrompt([], {})).issues[0]).toEqual({
      path: "messages",
      message: "A chat prompt needs at least one message",
    });
  });
});
