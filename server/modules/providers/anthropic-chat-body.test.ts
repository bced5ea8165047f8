/**
 * `chatBody` / `streamChatBody` against a fake Messages API server: the request it receives is the translation, and
 * what comes back is OpenAI's chat.completion (chunks), tool calls reassembled from fragments cut mid-JSON.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AnthropicProvider } from "./anthropic";
import { messageEvents } from "./anthropic-chat/testing/messages-stream";
import { UntranslatableError } from "./anthropic-chat/untranslatable";
import { ProviderError } from "./errors";
import {
  byteOffset,
  closeAllFakes,
  type FakeHandler,
  sendJson,
  sse,
  startFakeUpstream,
  writeInPieces,
} from "./testing/fake-upstream";
import { type ChatDelta, NATIVE_ANTHROPIC_BODY } from "./types";

afterEach(closeAllFakes);

async function fakeProvider(handler: FakeHandler) {
  const fake = await startFakeUpstream(handler);
  return { fake, provider: new AnthropicProvider({ baseUrl: fake.origin, apiKey: "sk-ant-test" }) };
}

async function collect(stream: AsyncIterable<ChatDelta>) {
  const seen: ChatDelta[] = [];
  for await (const item of stream) seen.push(item);
  return seen;
}

const tool = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};

describe("AnthropicProvider.chatBody", () => {
  it("sends the translation and returns the chat.completion OpenAI would have sent", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      sendJson(res, 200, {
        id: "msg_07",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [{ type: "tool_use", id: "toolu_9", name: "get_weather", input: { city: "Oslo" } }],
        stop_reason: "tool_use",
        stop_sequence: null,
        usage: { input_tokens: 11, cache_read_input_tokens: 50, cache_creation_input_tokens: 4, output_tokens: 20 },
      }),
    );
    const result = await provider.chatBody({
      model: "claude-x",
      messages: [{ role: "user", content: "Weather in Oslo?" }],
      tools: [tool],
      tool_choice: "auto",
    });
    expect(fake.requests[0].body).toEqual({
      model: "claude-x",
      max_tokens: 4096,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Oslo?" }] }],
      tools: [{ name: "get_weather", input_schema: tool.function.parameters }],
      tool_choice: { type: "auto" },
      stream: false,
    });
    expect(result.response).toMatchObject({
      id: "msg_07",
      object: "chat.completion",
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "toolu_9", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 65,
        completion_tokens: 20,
        total_tokens: 85,
        prompt_tokens_details: { cached_tokens: 50 },
      },
    });
    expect(result).toMatchObject({
      text: "",
      finishReason: "tool_calls",
      rawFinishReason: "tool_use",
      usage: { inputTokens: 65, outputTokens: 20, cachedInputTokens: 50, cacheWriteInputTokens: 4 },
    });
  });

  it("refuses an untranslatable field before calling the upstream", async () => {
    const { fake, provider } = await fakeProvider((_req, res) => sendJson(res, 500, {}));
    await expect(provider.chatBody({ model: "claude-x", messages: [], n: 3 })).rejects.toBeInstanceOf(
      UntranslatableError,
    );
    expect(() => provider.streamChatBody({ model: "claude-x", messages: [], logprobs: true })).toThrow(
      UntranslatableError,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("sends a body's native Messages API request instead of translating it", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      sendJson(res, 200, {
        content: [{ type: "text", text: "Hi" }],
        stop_reason: "end_turn",
        usage: { input_tokens: 1 },
      }),
    );
    const native = {
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      top_k: 5,
      messages: [{ role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] }],
    };
    const body = {
      model: "claude-x",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 100,
      top_k: 5,
    };
    const result = await provider.chatBody(Object.assign(body, { [NATIVE_ANTHROPIC_BODY]: native }));
    expect(fake.requests[0].body).toEqual(Object.assign({}, native, { model: "claude-x", stream: false }));
    expect(result.text).toBe("Hi");
  });
});

describe("AnthropicProvider.streamChatBody", () => {
  it("streams OpenAI chunks with tool-call fragments exactly as Anthropic cut them, and the usage chunk asked for", async () => {
    const text = sse(
      messageEvents({
        text: ["Let me look."],
        toolCalls: [{ id: "toolu_1", name: "get_weather", json: ['{"ci', 'ty": "Par', 'is"}'] }],
        stopReason: "tool_use",
        usage: { input_tokens: 20, cache_read_input_tokens: 7 },
        outputTokens: 33,
      }),
    );
    const cuts = [
      byteOffset(text, "Par") + 1,
      byteOffset(text, "input_json_delta") + 5,
      byteOffset(text, "message_stop"),
    ];
    const { fake, provider } = await fakeProvider((_req, res) => writeInPieces(res, text, cuts));
    const items = await collect(
      provider.streamChatBody({
        model: "claude-x",
        messages: [{ role: "user", content: "Weather?" }],
        tools: [tool],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(fake.requests[0].body).toMatchObject({ stream: true, tools: [{ name: "get_weather" }] });
    const chunks = items.flatMap((item) => (item.type === "text" ? [item] : []));
    const deltas = chunks.map((c) => (c.chunk!.choices as { delta: Record<string, unknown> }[])[0]?.delta);
    expect(deltas.flatMap((d) => (d?.tool_calls as { function: { arguments: string } }[]) ?? [])).toEqual([
      { index: 0, id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "" } },
      { index: 0, function: { arguments: '{"ci' } },
      { index: 0, function: { arguments: 'ty": "Par' } },
      { index: 0, function: { arguments: 'is"}' } },
    ]);
    expect(chunks.filter((c) => c.toolCall)).toHaveLength(4);
    expect(chunks.at(-1)!.chunk).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 27,
        completion_tokens: 33,
        total_tokens: 60,
        prompt_tokens_details: { cached_tokens: 7 },
      },
    });
    expect(items.at(-1)).toMatchObject({
      type: "done",
      id: "msg_01",
      text: "Let me look.",
      finishReason: "tool_calls",
      usage: { inputTokens: 27, outputTokens: 33, cachedInputTokens: 7 },
    });
  });

  it("throws the error event Anthropic sends mid-stream", async () => {
    const events = messageEvents({ text: ["Hel"] }).slice(0, 4);
    events.push({
      event: "error",
      data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
    const { provider } = await fakeProvider((_req, res) => writeInPieces(res, sse(events), []));
    const error = await collect(provider.streamChatBody({ model: "claude-x", messages: [], stream: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "UPSTREAM", retryable: true });
    expect((error as Error).message).toMatch(/Overloaded/);
  });
});
