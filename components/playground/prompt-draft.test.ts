import { describe, expect, it } from "vitest";
import {
  configFromColumn,
  inputFromTemplate,
  sameJson,
  templateFromInput,
  templateText,
} from "@/components/playground/prompt-draft";
import { fromApiParams } from "@/components/playground/types";

const chat = [
  { role: "system" as const, content: "You triage." },
  { role: "user" as const, content: "Ticket: {{ ticket }}" },
];

describe("prompt drafts in the playground", () => {
  it("puts a chat template's leading system message in the system box and back, unchanged", () => {
    const input = inputFromTemplate("chat", chat);
    expect(input).toEqual({ mode: "chat", system: "You triage.", messages: [chat[1]], prompt: "" });
    expect(templateFromInput("chat", input)).toEqual(chat);
  });

  it("drops empty messages and an empty system box when turning the input back into a template", () => {
    const template = templateFromInput("chat", {
      mode: "chat",
      system: "  ",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "" },
      ],
      prompt: "",
    });
    expect(template).toEqual([{ role: "user", content: "Hi" }]);
  });

  it("keeps a text template as raw text", () => {
    const input = inputFromTemplate("text", "Summarize {{ text }}");
    expect(input).toMatchObject({ mode: "raw", prompt: "Summarize {{ text }}" });
    expect(templateFromInput("text", input)).toBe("Summarize {{ text }}");
  });

  it("takes the first column's model and parameters into the config, keeping the prompt's other fields", () => {
    const config = { model: "a@production", params: { temperature: 0.2 }, response_format: { type: "text" as const } };
    const same = configFromColumn(config, { model: "a@production", params: fromApiParams(config.params) });
    expect(sameJson(same, config)).toBe(true);
    expect(configFromColumn(config, { model: "b@2", params: fromApiParams({}) })).toEqual({
      model: "b@2",
      response_format: { type: "text" },
    });
  });

  it("compares JSON whatever the key order, and shows a chat template as role sections", () => {
    expect(sameJson({ a: 1, b: [{ c: 2, d: 3 }] }, { b: [{ d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(templateText(chat)).toBe("## system\nYou triage.\n\n## user\nTicket: {{ ticket }}");
  });
});
