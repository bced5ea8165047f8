import { describe, expect, it } from "vitest";
import { anthropicEventStream } from "./stream";

const requestId = "00000000-0000-4000-8000-000000000001";

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-x",
  object: "chat.completion.chunk",
  model: "fake-gpt@1",
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usageChunk = (usage: Record<string, unknown>) => ({ id: "x", model: "fake-gpt@1", choices: [], usage });

/** Pipes `sse` through the translator in pieces cut every `cut` bytes; returns the parsed events in order. */
async function translate(sse: string, cut = 7, stopSequences: string[] = []) {
  const bytes = new TextEncoder().encode(sse);
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += cut) controller.enqueue(bytes.subarray(at, at + cut));
      controller.close();
    },
  });
  const text = await new Response(input.pipeThrough(anthropicEventStream(requestId, stopSequences))).text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      const [eventLine, dataLine] = block.split("\n");
      const data = JSON.parse(dataLine.slice("data: ".length));
      expect(eventLine).toBe(`event: ${data.type}`);
      return data as Record<string, unknown> & { type: string };
    });
}
const sse = (...chunks: unknown[]) =>
  chunks.map((c) => `data: ${typeof c === "string" ? c : JSON.stringify(c)}\n\n`).join("");

describe("anthropicEventStream", () => {
  it("turns text deltas into one text block, then message_delta with the usage, then message_stop", async () => {
    const events = await translate(
      sse(
        chunk({ role: "assistant", content: "" }, null, { switchyard: { requestId } }),
        chunk({ content: "Hel" }),
        chunk({ content: "lo ü" }),
        chunk({}, "stop"),
        usageChunk({ prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } }),
        "[DONE]",
      ),
    );
    expect(events).toEqual([
      {
        type: "message_start",
        message: {
          id: "msg_00000000000040008000000000000001",
          type: "message",
          role: "assistant",
          model: "fake-gpt@1",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          switchyard: { requestId },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "lo ü" } },
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { input_tokens: 10, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 2 },
      },
      { type: "message_stop" },
    ]);
  });

  it("opens a tool_use block per tool call and passes argument fragments on as they came", async () => {
    const events = await translate(
      sse(
        chunk({ role: "assistant", content: "Checking" }),
        chunk({
          tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "get_weather", arguments: "" } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
        chunk({
          tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "get_time", arguments: "{}" } }],
        }),
        chunk({}, "tool_calls"),
        usageChunk({ prompt_tokens: 5, completion_tokens: 9 }),
        "[DONE]",
      ),
      5,
    );
    expect(events.slice(1)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking" } },
      { type: "content_block_stop", index: 0 },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "tool_use", id: "call_a", name: "get_weather", input: {} },
      },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"ci' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: 'ty":"Paris"}' } },
      { type: "content_block_stop", index: 1 },
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "call_b", name: "get_time", input: {} },
      },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
      { type: "content_block_stop", index: 2 },
      {
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { input_tokens: 5, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
      { type: "message_stop" },
    ]);
  });

  it("says which stop sequence ended the answer when the upstream names it", async () => {
    const events = await translate(
      sse(chunk({ content: "a" }), chunk({}, "stop", {}), "[DONE]").replace(
        '"finish_reason":"stop"',
        '"finish_reason":"stop","stop_reason":"END"',
      ),
      64,
      ["END"],
    );
    expect(events.find((e) => e.type === "message_delta")?.delta).toEqual({
      stop_reason: "stop_sequence",
      stop_sequence: "END",
    });
  });

  it("turns an error chunk into an error event and stops there", async () => {
    const events = await translate(
      sse(chunk({ content: "par" }), {
        error: { message: "upstream broke off", type: "api_error", code: "upstream", param: null },
      }),
    );
    expect(events.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "error"]);
    expect(events.at(-1)).toEqual({ type: "error", error: { type: "api_error", message: "upstream broke off" } });

    const busy = await translate(sse({ error: { message: "queue full", type: "rate_limit_error", code: "busy" } }));
    expect(busy).toEqual([{ type: "error", error: { type: "overloaded_error", message: "queue full" } }]);
  });

  it("ends with an error event when the input ends before [DONE]", async () => {
    const events = await translate(sse(chunk({ content: "cut" })));
    expect(events.at(-1)).toEqual({
      type: "error",
      error: { type: "api_error", message: "The stream ended before the answer was complete" },
    });
  });
});
