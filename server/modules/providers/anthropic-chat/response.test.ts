import { describe, expect, it } from "vitest";
import { finishReasonOf, toChatCompletion, usageOf } from "./response";

describe("toChatCompletion", () => {
  it("turns text and tool_use blocks into content and tool_calls, with OpenAI's usage and finish reason", () => {
    const completion = toChatCompletion(
      {
        id: "msg_01",
        model: "claude-sonnet-4-5",
        content: [
          { type: "thinking" },
          { type: "text", text: "Let me " },
          { type: "text", text: "check." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris", unit: "c" } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 100, cache_creation_input_tokens: 8 },
      },
      "claude-x",
      1_700_000_000,
    );
    expect(completion).toEqual({
      id: "msg_01",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me check.",
            refusal: null,
            tool_calls: [
              {
                id: "toolu_1",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 30,
        total_tokens: 150,
        prompt_tokens_details: { cached_tokens: 100 },
      },
    });
  });

  it("has null content and no tool_calls when there is neither", () => {
    const completion = toChatCompletion(
      { content: [], stop_reason: "max_tokens", usage: { input_tokens: 3, output_tokens: 0 } },
      "claude-x",
      1,
    );
    expect(completion).toMatchObject({
      model: "claude-x",
      choices: [{ message: { role: "assistant", content: null }, finish_reason: "length" }],
      usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect((completion.choices as { message: object }[])[0].message).not.toHaveProperty("tool_calls");
  });
});

describe("finishReasonOf", () => {
  it("maps Anthropic's stop reasons to OpenAI's", () => {
    expect(
      [
        "end_turn",
        "stop_sequence",
        "max_tokens",
        "tool_use",
        "refusal",
        "model_context_window_exceeded",
        "pause_turn",
      ].map(finishReasonOf),
    ).toEqual(["stop", "stop", "length", "tool_calls", "content_filter", "length", "stop"]);
  });
});

describe("usageOf", () => {
  it("counts cached prompt tokens in inputTokens and reports the reads and writes apart", () => {
    expect(
      usageOf({ input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 40, cache_creation_input_tokens: 2 }),
    ).toEqual({ inputTokens: 47, outputTokens: 7, cachedInputTokens: 40, cacheWriteInputTokens: 2 });
    expect(usageOf({ input_tokens: 5, output_tokens: 7 })).toEqual({ inputTokens: 5, outputTokens: 7 });
  });
});
