import { describe, expect, it } from "vitest";
import { conversationOf, prettyArguments, readableJson } from "./request-conversation";

const PNG = `data:image/png;base64,${"iVBORw0KGgo".repeat(400)}`;

describe("conversationOf", () => {
  it("reads a Chat Completions tool-calling conversation: roles, image markers, calls and results by id", () => {
    const request = {
      model: "gpt",
      tools: [{ type: "function", function: { name: "get_weather", parameters: {} } }],
      messages: [
        { role: "system", content: "Use tools." },
        {
          role: "user",
          content: [
            { type: "text", text: "Weather where this was taken?" },
            { type: "image_url", image_url: { url: PNG } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"temp": 3}' },
      ],
    };
    const response = {
      text: "",
      finishReason: "tool_calls",
      toolCalls: [{ id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' }],
    };
    const conversation = conversationOf(request, response);
    expect(conversation?.tools).toEqual(["get_weather"]);
    expect(conversation?.messages).toEqual([
      { role: "system", parts: [{ kind: "text", text: "Use tools." }], toolCalls: [] },
      {
        role: "user",
        parts: [
          { kind: "text", text: "Weather where this was taken?" },
          { kind: "media", media: "image", label: "image/png, 3 KB inline" },
        ],
        toolCalls: [],
      },
      {
        role: "assistant",
        parts: [],
        toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{\n  "city": "Oslo"\n}' }],
      },
      {
        role: "tool",
        parts: [{ kind: "text", text: '{"temp": 3}' }],
        toolCalls: [],
        toolCallId: "call_1",
        toolName: "get_weather",
      },
    ]);
    expect(conversation?.answer).toEqual({
      text: "",
      finishReason: "tool_calls",
      toolCalls: [{ id: "call_2", name: "get_weather", arguments: '{\n  "city": "Rome"\n}' }],
    });
    expect(JSON.stringify(conversation)).not.toContain("iVBORw0KGgo");
  });

  it("reads an Anthropic Messages conversation: system, tool_use and tool_result blocks", () => {
    const request = {
      system: "Be brief.",
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
      messages: [
        { role: "user", content: "Find it" },
        { role: "assistant", content: [{ type: "tool_use", id: "tu_1", name: "lookup", input: { q: "x" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "tu_1", content: "found" }] },
      ],
    };
    const conversation = conversationOf(request, { text: "Done.", finishReason: "stop" });
    expect(conversation?.tools).toEqual(["lookup"]);
    expect(conversation?.messages.map((m) => [m.role, m.toolCalls.map((c) => c.name), m.toolName ?? null])).toEqual([
      ["system", [], null],
      ["user", [], null],
      ["assistant", ["lookup"], null],
      ["tool", [], "lookup"],
    ]);
    expect(conversation?.messages[3].parts).toEqual([{ kind: "text", text: "found" }]);
    expect(conversation?.answer).toEqual({ text: "Done.", finishReason: "stop", toolCalls: [] });
  });

  it("answers null for bodies it cannot read (embeddings, nothing stored)", () => {
    expect(conversationOf(null, null)).toBeNull();
    expect(conversationOf({ input: ["a", "b"] }, { vectors: 2 })).toBeNull();
  });
});

describe("prettyArguments and readableJson", () => {
  it("indents JSON arguments and keeps anything else as sent", () => {
    expect(prettyArguments('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyArguments('{"a":')).toBe('{"a":');
  });

  it("replaces inline data with a note of its size", () => {
    const json = readableJson({ url: PNG, audio: "UklGR".repeat(200), text: "plain words ".repeat(40) });
    expect(json).not.toContain("iVBORw0KGgo");
    expect(json).not.toContain("UklGRUklGR");
    expect(json).toContain("data:image/png;base64,… (3 KB not shown)");
    expect(json).toContain("plain words plain words");
  });
});
