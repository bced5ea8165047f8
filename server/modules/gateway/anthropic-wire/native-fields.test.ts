import { describe, expect, it } from "vitest";
import { anthropicOnlyFields } from "./native-fields";

describe("anthropicOnlyFields", () => {
  it("is empty for a request the translation carries whole", () => {
    expect(
      anthropicOnlyFields({
        model: "m",
        max_tokens: 10,
        system: [{ type: "text", text: "s" }],
        messages: [
          { role: "user", content: [{ type: "image", source: { type: "url", url: "https://x/y.png" } }] },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok", is_error: false }] },
        ],
        tools: [{ name: "f", input_schema: { type: "object" }, cache_control: null }],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
        metadata: { user_id: "u" },
        stream: true,
      }),
    ).toEqual([]);
  });

  it("lists every field and block with no Chat Completions equivalent, by path", () => {
    expect(
      anthropicOnlyFields({
        model: "m",
        max_tokens: 10,
        top_k: 40,
        thinking: { type: "enabled", budget_tokens: 1024 },
        service_tier: "auto",
        output_config: { effort: "high", format: { type: "json_schema", schema: {} } },
        system: [{ type: "text", text: "s", cache_control: { type: "ephemeral" } }],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "a", citations: [{ type: "char_location" }] },
              { type: "image", source: { type: "file", file_id: "file_1" } },
              { type: "document", source: { type: "url", url: "https://x/a.pdf" }, title: "A" },
            ],
          },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "t", signature: "s" },
              { type: "tool_use", id: "t", name: "f", input: {}, cache_control: { type: "ephemeral" } },
            ],
          },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                tool_use_id: "t",
                is_error: true,
                content: [
                  { type: "text", text: "x" },
                  { type: "image", source: { type: "url", url: "https://x/y.png" } },
                ],
              },
            ],
          },
        ],
        tools: [{ name: "f", input_schema: { type: "object" }, defer_loading: true }],
        metadata: { user_id: "u", team: "x" },
      }),
    ).toEqual([
      "top_k",
      "thinking",
      "service_tier",
      "metadata.team",
      "output_config.effort",
      "system.0.cache_control",
      "messages.0.content.0.citations",
      "messages.0.content.1.source",
      "messages.0.content.2.title",
      "messages.0.content.2.source",
      "messages.1.content.0",
      "messages.1.content.1.cache_control",
      "messages.2.content.0.is_error",
      "messages.2.content.0.content.1",
      "tools.0.defer_loading",
    ]);
  });
});
