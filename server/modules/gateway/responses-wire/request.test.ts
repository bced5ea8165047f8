import { describe, expect, it } from "vitest";
import { chatBody, parseResponsesRequest } from "./request";

const paramOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { issues: { path: string }[] }).issues[0]?.path;
  }
  throw new Error("expected a refusal");
};

describe("parseResponsesRequest", () => {
  it("turns a string input and instructions into a system and a user message", () => {
    const request = parseResponsesRequest({ model: "m", input: "Hi", instructions: "Be brief" });
    expect(chatBody(request, [])).toEqual({
      model: "m",
      stream: false,
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Hi" },
      ],
    });
    expect(request.items).toEqual([
      expect.objectContaining({ type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }),
    ]);
    expect(request.items[0].id).toMatch(/^msg_[0-9a-f]{48}$/);
    expect(request.echo).toMatchObject({ store: true, tool_choice: "auto", parallel_tool_calls: true, metadata: {} });
  });

  it("puts the earlier conversation between the instructions and the new input, and asks streams for usage", () => {
    const request = parseResponsesRequest({ model: "m", input: "And now?", instructions: "New rules", stream: true });
    const body = chatBody(request, [
      { role: "user", content: "Before" },
      { role: "assistant", content: "Answer" },
    ]);
    expect(body.messages).toEqual([
      { role: "system", content: "New rules" },
      { role: "user", content: "Before" },
      { role: "assistant", content: "Answer" },
      { role: "user", content: "And now?" },
    ]);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("translates function tools, tool_choice, parallel_tool_calls, text.format and sampling", () => {
    const request = parseResponsesRequest({
      model: "m",
      input: [{ role: "user", content: [{ type: "input_text", text: "Weather?" }] }],
      tools: [
        { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" }, strict: true },
      ],
      tool_choice: { type: "function", name: "get_weather" },
      parallel_tool_calls: false,
      text: { format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true } },
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      safety_identifier: "u-1",
      reasoning: { effort: "low" },
    });
    expect(chatBody(request, [])).toEqual({
      model: "m",
      stream: false,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather?" }] }],
      tools: [
        {
          type: "function",
          function: { name: "get_weather", description: "Weather", parameters: { type: "object" }, strict: true },
        },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object" }, strict: true } },
      max_completion_tokens: 50,
      temperature: 0.5,
      top_p: 0.9,
      user: "u-1",
      reasoning_effort: "low",
    });
    expect(request.echo.text).toEqual({
      format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true },
    });
    expect(request.echo.tools).toEqual([
      { type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" }, strict: true },
    ]);
  });

  it("maps function calls to one assistant turn with tool_calls and their outputs to tool messages", () => {
    const request = parseResponsesRequest({
      model: "m",
      input: [
        { role: "user", content: "Weather in Paris and Oslo?" },
        { type: "function_call", call_id: "call_1", name: "w", arguments: '{"city":"Paris"}' },
        { type: "function_call", call_id: "call_2", name: "w", arguments: '{"city":"Oslo"}', id: "fc_given" },
        { type: "reasoning", id: "rs_1", summary: [] },
        { type: "function_call_output", call_id: "call_1", output: "18C" },
        { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "3C" }] },
      ],
    });
    expect(request.input).toEqual([
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "w", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "w", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18C" },
      { role: "tool", tool_call_id: "call_2", content: "3C" },
    ]);
    expect(request.items.map((i) => i.type)).toEqual([
      "message",
      "function_call",
      "function_call",
      "function_call_output",
      "function_call_output",
    ]);
    expect(request.items[2].id).toBe("fc_given");
  });

  it("joins an assistant message's text parts and maps images and files", () => {
    const request = parseResponsesRequest({
      model: "m",
      input: [
        {
          role: "assistant",
          content: [
            { type: "output_text", text: "Earlier ", annotations: [] },
            { type: "output_text", text: "answer" },
          ],
        },
        {
          role: "user",
          content: [
            { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "low" },
            { type: "input_file", file_data: "data:application/pdf;base64,BBBB", filename: "a.pdf" },
          ],
        },
      ],
    });
    expect(request.input).toEqual([
      { role: "assistant", content: "Earlier answer" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,BBBB", filename: "a.pdf" } },
        ],
      },
    ]);
  });

  it("refuses what it cannot carry, naming the field", () => {
    const base = { model: "m", input: "x" };
    expect(paramOf(() => parseResponsesRequest({ ...base, tools: [{ type: "web_search" }] }))).toBe("tools.0.type");
    expect(
      paramOf(() =>
        parseResponsesRequest({
          model: "m",
          input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }],
        }),
      ),
    ).toBe("input.0.content.0.file_id");
    expect(paramOf(() => parseResponsesRequest({ ...base, frobnicate: 1 }))).toBe("frobnicate");
    expect(paramOf(() => parseResponsesRequest({ ...base, background: true }))).toBe("background");
    expect(paramOf(() => parseResponsesRequest({ ...base, truncation: "auto" }))).toBe("truncation");
    expect(paramOf(() => parseResponsesRequest({ ...base, include: ["reasoning.encrypted_content"] }))).toBe("include");
    expect(paramOf(() => parseResponsesRequest({ ...base, tool_choice: { type: "web_search_preview" } }))).toBe(
      "tool_choice.type",
    );
    expect(paramOf(() => parseResponsesRequest({ ...base, text: { format: { type: "xml" } } }))).toBe(
      "text.format.type",
    );
    expect(paramOf(() => parseResponsesRequest({ ...base, max_output_tokens: 0 }))).toBe("max_output_tokens");
    expect(paramOf(() => parseResponsesRequest({ model: "m" }))).toBe("input");
    expect(paramOf(() => parseResponsesRequest({ input: "x" }))).toBe("model");
    expect(paramOf(() => parseResponsesRequest({ model: "m", input: [{ type: "item_reference", id: "msg_1" }] }))).toBe(
      "input.0.type",
    );
    expect(paramOf(() => parseResponsesRequest({ ...base, metadata: { a: 1 } }))).toBe("metadata.a");
  });

  it("accepts OpenAI's empty defaults for fields it cannot honour", () => {
    const request = parseResponsesRequest({
      model: "m",
      input: "x",
      background: false,
      include: [],
      truncation: "disabled",
      tools: [],
      conversation: null,
      stream_options: { include_obfuscation: false },
    });
    expect(chatBody(request, []).tools).toBeUndefined();
  });
});
