import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { toChatBody } from "./request";

const base = { model: "fake-gpt", max_tokens: 100 };

/** The 400's param (the field it names) and message, or a failure when it did not throw one. */
function refusal(body: Record<string, unknown>) {
  try {
    toChatBody(body);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.httpStatus).toBe(400);
    return { param: domain.toOpenAI().error.param, message: domain.message };
  }
  throw new Error("expected a 400");
}

describe("toChatBody", () => {
  it("translates system, turns, sampling and metadata into Chat Completions fields", () => {
    const body = toChatBody({
      ...base,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Hel" },
            { type: "text", text: "lo" },
          ],
        },
        { role: "user", content: [{ type: "text", text: "Again" }] },
      ],
      stop_sequences: ["END"],
      temperature: 0.5,
      top_p: 0.9,
      metadata: { user_id: "u-1" },
      stream: true,
    });
    expect(body).toEqual({
      model: "fake-gpt",
      max_tokens: 100,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
        { role: "user", content: [{ type: "text", text: "Again" }] },
      ],
      stop: ["END"],
      temperature: 0.5,
      top_p: 0.9,
      user: "u-1",
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("keeps system text blocks as text parts", () => {
    const body = toChatBody({
      ...base,
      system: [
        { type: "text", text: "One." },
        { type: "text", text: "Two.", cache_control: { type: "ephemeral" } },
      ],
      messages: [{ role: "user", content: "Hi" }],
    });
    expect((body.messages as unknown[])[0]).toEqual({
      role: "system",
      content: [
        { type: "text", text: "One." },
        { type: "text", text: "Two." },
      ],
    });
  });

  it("turns tool_use into tool_calls and tool_result into tool messages placed before the turn's other content", () => {
    const body = toChatBody({
      ...base,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "Here you go" },
            { type: "tool_result", tool_use_id: "toolu_1", content: "21°C" },
            { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "noon" }] },
            { type: "tool_result", tool_use_id: "toolu_3" },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_4", content: [] }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "toolu_2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "21°C" },
      { role: "tool", tool_call_id: "toolu_2", content: "noon" },
      { role: "tool", tool_call_id: "toolu_3", content: "" },
      { role: "user", content: [{ type: "text", text: "Here you go" }] },
      { role: "tool", tool_call_id: "toolu_4", content: [] },
    ]);
  });

  it("sends an assistant turn of tool calls only with null content", () => {
    const body = toChatBody({
      ...base,
      messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: { a: [1] } }] }],
    });
    expect((body.messages as Record<string, unknown>[])[0].content).toBeNull();
  });

  it("turns images and documents into image_url and file parts", () => {
    const body = toChatBody({
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "plain words" } },
            { type: "document", source: { type: "content", content: [{ type: "text", text: "inner" }] } },
          ],
        },
      ],
    });
    expect((body.messages as Record<string, unknown>[])[0].content).toEqual([
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
      { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
      { type: "file", file: { filename: "document.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
      { type: "text", text: "plain words" },
      { type: "text", text: "inner" },
    ]);
  });

  it("translates tools, tool_choice and structured output", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const body = toChatBody({
      ...base,
      messages: [{ role: "user", content: "x" }],
      tools: [{ name: "get_weather", description: "Weather", input_schema: schema, strict: true }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      output_config: { format: { type: "json_schema", schema } },
    });
    expect(body.tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: schema, strict: true } },
    ]);
    expect(body.tool_choice).toBe("required");
    expect(body.parallel_tool_calls).toBe(false);
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema, strict: true },
    });

    const choices = ["auto", "none"].map(
      (type) =>
        toChatBody({ ...base, messages: [], tools: [{ name: "f", input_schema: schema }], tool_choice: { type } })
          .tool_choice,
    );
    expect(choices).toEqual(["auto", "none"]);
    const named = toChatBody({
      ...base,
      messages: [],
      tools: [{ name: "f", input_schema: schema }],
      tool_choice: { type: "tool", name: "f" },
    });
    expect(named.tool_choice).toEqual({ type: "function", function: { name: "f" } });
    expect(named).not.toHaveProperty("parallel_tool_calls");
  });

  it("refuses what Anthropic refuses, naming the field", () => {
    expect(refusal({ model: "m", messages: [] })).toEqual({
      param: "max_tokens",
      message: "max_tokens: Field required",
    });
    expect(refusal({ max_tokens: 5, messages: [] }).param).toBe("model");
    expect(refusal({ ...base }).param).toBe("messages");
    expect(refusal({ ...base, max_tokens: 0, messages: [] }).param).toBe("max_tokens");
    expect(refusal({ ...base, temperature: 1.5, messages: [] }).param).toBe("temperature");
    expect(refusal({ ...base, messages: [{ role: "system", content: "x" }] }).param).toBe("messages.0.role");
    expect(refusal({ ...base, messages: [{ role: "user", content: 5 }] }).param).toBe("messages.0.content");
    expect(refusal({ ...base, messages: [{ role: "user", content: [{ type: "txt", text: "x" }] }] })).toEqual({
      param: "messages.0.content.0.type",
      message: "messages.0.content.0.type: Unknown content block type 'txt'",
    });
    expect(refusal({ ...base, messages: [{ role: "user", content: [{ type: "text" }] }] }).param).toBe(
      "messages.0.content.0.text",
    );
    expect(
      refusal({
        ...base,
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "x" } }],
          },
        ],
      }).param,
    ).toBe("messages.0.content.0.source.media_type");
    expect(
      refusal({ ...base, messages: [{ role: "user", content: [{ type: "tool_use", id: "a", name: "f", input: {} }] }] })
        .param,
    ).toBe("messages.0.content.0.type");
    expect(
      refusal({ ...base, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "a", name: "f" }] }] })
        .param,
    ).toBe("messages.0.content.0.input");
    expect(
      refusal({ ...base, messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }] }).param,
    ).toBe("messages.0.content.0.tool_use_id");
    expect(refusal({ ...base, messages: [], tools: [{ name: "f" }] }).param).toBe("tools.0.input_schema");
    expect(refusal({ ...base, messages: [], tool_choice: { type: "tool" } }).param).toBe("tool_choice.name");
    expect(refusal({ ...base, messages: [], tool_choice: { type: "sometimes" } }).param).toBe("tool_choice.type");
  });

  it("refuses server tools by name", () => {
    const { param, message } = refusal({
      ...base,
      messages: [],
      tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 3 }],
    });
    expect(param).toBe("tools.0.type");
    expect(message).toContain("web_search_20250305");
  });

  it("skips blocks with no Chat Completions equivalent (anthropicOnlyFields lists them)", () => {
    const body = toChatBody({
      ...base,
      top_k: 5,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "text", text: "Answer" },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([{ role: "assistant", content: "Answer" }]);
    expect(body).not.toHaveProperty("top_k");
  });
});
