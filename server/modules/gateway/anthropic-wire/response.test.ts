import { describe, expect, it } from "vitest";
import { stopOf, toAnthropicMessage, usageOf } from "./response";

const requestId = "0b6c2f4e-1111-4222-8333-944445555666";

describe("toAnthropicMessage", () => {
  it("turns text and tool calls into content blocks with Anthropic's stop reason and usage", () => {
    const message = toAnthropicMessage(
      {
        id: "chatcmpl-1",
        object: "chat.completion",
        model: "fake-gpt@1",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "Let me check.",
              tool_calls: [
                { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
                { id: "call_2", type: "function", function: { name: "ping", arguments: "" } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 31, completion_tokens: 18, prompt_tokens_details: { cached_tokens: 16 } },
        switchyard: { requestId },
      },
      requestId,
      [],
    );
    expect(message).toEqual({
      id: "msg_0b6c2f4e111142228333944445555666",
      type: "message",
      role: "assistant",
      model: "fake-gpt@1",
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
        { type: "tool_use", id: "call_2", name: "ping", input: {} },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 15, output_tokens: 18, cache_creation_input_tokens: 0, cache_read_input_tokens: 16 },
      switchyard: { requestId },
    });
  });

  it("keeps arguments that are not JSON as the string the model produced", () => {
    const message = toAnthropicMessage(
      {
        choices: [
          {
            message: { content: null, tool_calls: [{ id: "c", function: { name: "f", arguments: '{"a":' } }] },
            finish_reason: "tool_calls",
          },
        ],
      },
      requestId,
      [],
    );
    expect(message.content).toEqual([{ type: "tool_use", id: "c", name: "f", input: '{"a":' }]);
  });

  it("says a refusal as text with stop_reason refusal", () => {
    const message = toAnthropicMessage(
      { choices: [{ message: { content: null, refusal: "I can't help with that." }, finish_reason: "stop" }] },
      requestId,
      [],
    );
    expect(message.content).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(message.stop_reason).toBe("refusal");
  });
});

describe("stopOf", () => {
  it("maps OpenAI's finish reasons", () => {
    expect(stopOf({ finish_reason: "stop" }, []).stop_reason).toBe("end_turn");
    expect(stopOf({ finish_reason: "length" }, []).stop_reason).toBe("max_tokens");
    expect(stopOf({ finish_reason: "tool_calls" }, []).stop_reason).toBe("tool_use");
    expect(stopOf({ finish_reason: "content_filter" }, []).stop_reason).toBe("refusal");
  });

  it("says stop_sequence only when the upstream names a requested one", () => {
    expect(stopOf({ finish_reason: "stop", stop_reason: "END" }, ["END"])).toEqual({
      stop_reason: "stop_sequence",
      stop_sequence: "END",
    });
    expect(stopOf({ finish_reason: "stop", stop_reason: 50256 }, ["END"]).stop_reason).toBe("end_turn");
    expect(stopOf({ finish_reason: "stop", stop_reason: "OTHER" }, ["END"]).stop_reason).toBe("end_turn");
  });
});

describe("usageOf", () => {
  it("leaves cache reads and writes out of input_tokens", () => {
    expect(
      usageOf({
        prompt_tokens: 100,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 60 },
        cache_creation_input_tokens: 30,
      }),
    ).toEqual({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 30, cache_read_input_tokens: 60 });
    expect(usageOf(null)).toEqual({
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });
});
