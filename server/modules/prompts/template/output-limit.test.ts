import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { renderPrompt } from "./render";

/** Runs `fn`, expecting the output cap's UNPROCESSABLE DomainError, and returns it. */
function refused(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("UNPROCESSABLE");
    return error as DomainError;
  }
  throw new Error("expected the output limit, but the render succeeded");
}

describe("renderPrompt: the output cap", () => {
  it("refuses the issue's 150-byte template that rendered 134 MB, before building it", () => {
    // Within the step cap (a few thousand steps) and range()'s 10,000 items: only the output grows.
    const template =
      '{% for i in range(10000) %}{% for j in range(10000) %}{{ "0123456789abcdef" }}{% endfor %}{% endfor %}';
    expect(template.length).toBeLessThan(150);
    const error = refused(() => renderPrompt(template, {}, { maxOutputChars: 1_000_000, maxSteps: 10_000_000 }));
    expect(error.message).toBe("The template rendered more than 1,000,000 characters (the output limit)");
    expect(error.issues).toEqual([{ path: "template", message: error.message }]);
  });

  it("refuses one value longer than the cap even when it is not printed (doubling a string)", () => {
    const template =
      '{% set ns = namespace(s="ab") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}';
    const error = refused(() => renderPrompt(template, {}, { maxOutputChars: 1000 }));
    expect(error.message).toMatch(/more than 1,000 characters/);
  });

  it("counts every message of a chat prompt against one budget and names the message that passed it", () => {
    const chat = [
      { role: "system" as const, content: "{{ text }}" },
      { role: "user" as const, content: "{{ text }}" },
    ];
    const text = "x".repeat(600);
    expect(renderPrompt(chat, { text }, { maxOutputChars: 1200 }).type).toBe("chat");
    const error = refused(() => renderPrompt(chat, { text }, { maxOutputChars: 1000 }));
    expect(error.issues[0].path).toBe("messages.1.content");
  });

  it("renders exactly up to the cap: text and printed values count, tags do not", () => {
    const template = "{% if true %}abc{% endif %}{{ word }}{% for i in range(2) %}-{% endfor %}";
    expect(renderPrompt(template, { word: "de" }, { maxOutputChars: 7 })).toEqual({ type: "text", text: "abcde--" });
    refused(() => renderPrompt(template, { word: "de" }, { maxOutputChars: 6 }));
  });
});
