import { describe, expect, it } from "vitest";
import { ChunkTranslator } from "./stream";
import type { AnthropicStreamEvent } from "./wire";

/** A tool-using answer as the Messages API streams it: text, then a tool_use whose input arrives in pieces. */
const events: AnthropicStreamEvent[] = [
  {
    type: "message_start",
    message: {
      id: "msg_1",
      model: "claude-sonnet-4-5",
      content: [],
      usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 64, cache_creation_input_tokens: 0 },
    },
  },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } },
  {
    type: "content_block_start",
    index: 1,
    content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
  },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "" } },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city": "Pa' } },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: 'ris"}' } },
  {
    type: "content_block_start",
    index: 2,
    content_block: { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
  },
  { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
  { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 42 } },
  { type: "message_stop" },
];

const choiceOf = (chunk: Record<string, unknown>) =>
  (chunk.choices as { delta: Record<string, unknown>; finish_reason: string | null }[])[0];

describe("ChunkTranslator", () => {
  it("streams OpenAI chunks: the role first, content, numbered tool-call deltas, the finish, then the usage", () => {
    const translator = new ChunkTranslator("claude-x", 1_700_000_000, true);
    const out = events.flatMap((event) => translator.translate(event));
    expect(out.map(({ chunk }) => ((chunk.choices as unknown[]).length ? choiceOf(chunk) : chunk.usage))).toEqual([
      { index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: "Checking." }, logprobs: null, finish_reason: null },
      {
        index: 0,
        delta: {
          tool_calls: [{ index: 0, id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "" } }],
        },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: '{"city": "Pa' } }] },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: 'ris"}' } }] },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: {
          tool_calls: [{ index: 1, id: "toolu_2", type: "function", function: { name: "get_time", arguments: "" } }],
        },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 1, function: { arguments: "{}" } }] },
        logprobs: null,
        finish_reason: null,
      },
      { index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" },
      { prompt_tokens: 74, completion_tokens: 42, total_tokens: 116, prompt_tokens_details: { cached_tokens: 64 } },
    ]);
    expect(out.map((c) => c.toolCall)).toEqual([false, false, true, true, true, true, true, false, false]);
    expect(out.map((c) => c.text).join("")).toBe("Checking.");
    expect(out[0].chunk).toMatchObject({
      id: "msg_1",
      object: "chat.completion.chunk",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5",
      usage: null,
    });
    expect(translator.stopReason).toBe("tool_use");
  });

  it("sends no usage chunk, and no usage field, unless asked", () => {
    const translator = new ChunkTranslator("claude-x", 1, false);
    const out = events.flatMap((event) => translator.translate(event));
    expect(out).toHaveLength(8);
    expect(out.every(({ chunk }) => !("usage" in chunk) && (chunk.choices as unknown[]).length === 1)).toBe(true);
    expect(translator.usage).toEqual({
      input_tokens: 10,
      output_tokens: 42,
      cache_read_input_tokens: 64,
      cache_creation_input_tokens: 0,
    });
  });
});
