import { afterEach, describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { isProviderAbort, ProviderAbortError, ProviderError } from "./errors";
import { OpenAICompatibleProvider } from "./openai-compatible";
import {
  byteOffset,
  closeAllFakes,
  closedPort,
  type FakeHandler,
  pause,
  sendJson,
  sse,
  startFakeUpstream,
  writeInPieces,
} from "./testing/fake-upstream";
import type { ChatDelta, ChatRequest } from "./types";

afterEach(closeAllFakes);

const KEY = "sk-test-secret-123";
const request: ChatRequest = {
  model: "llama-3-8b",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Say hi" },
  ],
  temperature: 0.2,
  topP: 0.9,
  maxTokens: 64,
  stop: ["\n\n"],
  seed: 7,
};

async function fakeProvider(handler: FakeHandler, extra: { apiKey?: string } = { apiKey: KEY }) {
  const fake = await startFakeUpstream(handler);
  const provider = new OpenAICompatibleProvider({
    baseUrl: `${fake.origin}/v1/`,
    defaultHeaders: { "x-tenant": "acme" },
    ...extra,
  });
  return { fake, provider };
}

async function collect(stream: AsyncIterable<ChatDelta>) {
  const items: ChatDelta[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/** The rejection of `promise`, failing the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const chunk = (delta: object, finish: string | null = null) => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  model: "llama-3-8b-instruct",
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe("OpenAI-compatible chat", () => {
  it("sends the mapped request and reads text, finish reason and usage", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-9",
        object: "chat.completion",
        model: "llama-3-8b-instruct",
        choices: [{ index: 0, message: { role: "assistant", content: "Hi there" }, finish_reason: "length" }],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      }),
    );

    const result = await provider.chat(request);

    const [received] = fake.requests;
    expect(received.method).toBe("POST");
    expect(received.path).toBe("/v1/chat/completions");
    expect(received.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received.headers["content-type"]).toBe("application/json");
    expect(received.headers["x-tenant"]).toBe("acme");
    expect(received.body).toEqual({
      model: "llama-3-8b",
      messages: request.messages,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      stop: ["\n\n"],
      seed: 7,
      stream: false,
    });
    expect(result).toMatchObject({
      id: "chatcmpl-9",
      model: "llama-3-8b-instruct",
      text: "Hi there",
      finishReason: "length",
      rawFinishReason: "length",
      usage: { inputTokens: 12, outputTokens: 3 },
    });
    expect(result.timing.ttftMs).toBeNull();
    expect(result.timing.latencyMs).toBeGreaterThan(0);
  });

  it("sends only the fields that were set, and no auth header without a key", async () => {
    const { fake, provider } = await fakeProvider(
      (_req, res) => sendJson(res, 200, { choices: [{ message: { content: null }, finish_reason: "stop" }] }),
      {},
    );

    const result = await provider.chat({ model: "m", messages: [{ role: "user", content: "x" }] });

    expect(fake.requests[0].body).toEqual({ model: "m", messages: [{ role: "user", content: "x" }], stream: false });
    expect(fake.requests[0].headers.authorization).toBeUndefined();
    expect(result).toMatchObject({ id: null, model: "m", text: "", finishReason: "stop", usage: null });
  });

  it("streams deltas cut mid-character and mid-line, then one done item with usage and TTFT", async () => {
    const body = sse([
      { data: chunk({ role: "assistant", content: "" }) },
      { data: chunk({ content: "Héllo " }) },
      { data: chunk({ content: "👋 wörld" }) },
      { data: chunk({}, "stop") },
      { data: { id: "chatcmpl-1", choices: [], usage: { prompt_tokens: 20, completion_tokens: 4 } } },
      { data: "[DONE]" },
    ]);
    const emoji = byteOffset(body, "👋");
    const cuts = [
      byteOffset(body, "data: {") + 3, // inside the "data:" field name
      byteOffset(body, "Héllo") + 2, // between the two bytes of "é"
      emoji + 1,
      emoji + 3, // inside the four bytes of the emoji, twice
      byteOffset(body, "[DONE]") + 2,
    ];
    const { fake, provider } = await fakeProvider(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      await pause(40); // the upstream "thinks" before the first token
      await writeInPieces(res, body, cuts);
    });

    const items = await collect(provider.streamChat(request));

    expect(fake.requests[0].body).toEqual({
      model: "llama-3-8b",
      messages: request.messages,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      stop: ["\n\n"],
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(fake.requests[0].headers.accept).toBe("text/event-stream");
    expect(items.slice(0, -1)).toEqual([
      { type: "text", text: "Héllo " },
      { type: "text", text: "👋 wörld" },
    ]);
    const done = items.at(-1);
    expect(done).toMatchObject({
      type: "done",
      id: "chatcmpl-1",
      model: "llama-3-8b-instruct",
      text: "Héllo 👋 wörld",
      finishReason: "stop",
      usage: { inputTokens: 20, outputTokens: 4 },
    });
    if (done?.type !== "done") throw new Error("no done item");
    expect(done.timing.ttftMs).toBeGreaterThanOrEqual(35);
    expect(done.timing.latencyMs).toBeGreaterThanOrEqual(done.timing.ttftMs ?? Number.NaN);
  });

  it("reads CRLF-delimited streams cut between CR and LF, and accepts a finished stream without [DONE]", async () => {
    const body = sse([{ data: chunk({ content: "ok" }) }, { data: chunk({}, "length") }], "\r\n");
    const { provider } = await fakeProvider((_req, res) => writeInPieces(res, body, [body.indexOf("\r\n") + 1]));

    const items = await collect(provider.streamChat(request));

    expect(items.map((item) => item.type)).toEqual(["text", "done"]);
    expect(items.at(-1)).toMatchObject({ text: "ok", finishReason: "length", usage: null });
  });
});

describe("OpenAI-compatible legacy completions", () => {
  it("posts a prompt to /completions and reads choices[].text", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      sendJson(res, 200, {
        id: "cmpl-1",
        object: "text_completion",
        choices: [{ index: 0, text: " world", finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      }),
    );

    const result = await provider.complete({ model: "gpt2", prompt: "hello", maxTokens: 5 });

    expect(fake.requests[0].path).toBe("/v1/completions");
    expect(fake.requests[0].body).toEqual({ model: "gpt2", prompt: "hello", max_tokens: 5, stream: false });
    expect(result).toMatchObject({ text: " world", finishReason: "stop", usage: { inputTokens: 1, outputTokens: 1 } });
  });

  it("streams completions", async () => {
    const piece = (text: string, finish: string | null = null) => ({
      id: "cmpl-2",
      choices: [{ index: 0, text, finish_reason: finish }],
    });
    const body = sse([{ data: piece(" wor") }, { data: piece("ld", "stop") }, { data: "[DONE]" }]);
    const { fake, provider } = await fakeProvider((_req, res) => writeInPieces(res, body, [10, 30]));

    const items = await collect(provider.streamComplete({ model: "gpt2", prompt: "hello" }));

    expect(fake.requests[0].path).toBe("/v1/completions");
    expect(fake.requests[0].body).toMatchObject({ prompt: "hello", stream: true });
    expect(items.at(-1)).toMatchObject({ type: "done", text: " world", finishReason: "stop" });
  });
});

describe("OpenAI-compatible errors", () => {
  it("maps 401 to UPSTREAM without echoing the key, even when the upstream does", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${KEY}`, code: "invalid_api_key" } }),
    );

    const error = await failure(provider.chat(request));

    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 401, retryable: false });
    expect(error.message).toMatch(/^upstream rejected the API key/);
    expect(error.message).not.toContain(KEY);
  });

  it("maps 403 the same way", async () => {
    const { provider } = await fakeProvider((_req, res) => sendJson(res, 403, { error: { message: "forbidden" } }));
    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 403 });
    expect(error.message).toMatch(/^upstream rejected the API key/);
  });

  it("maps 429 to RATE_LIMITED keeping retry-after", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 429, { error: { message: "Rate limit reached for requests" } }, { "retry-after": "7" }),
    );

    const error = await failure(provider.chat(request));

    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 7000, retryable: true, upstreamStatus: 429 });
    expect((error as DomainError).httpStatus).toBe(429);
    expect(error.message).toContain("Rate limit reached for requests");
    expect(error.message).toContain("retry after 7 s");
  });

  it("maps 400 to BAD_REQUEST with the upstream's message (vLLM's error shape)", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 400, {
        object: "error",
        message: "This model's maximum context length is 4096 tokens.",
        type: "BadRequestError",
        code: 400,
      }),
    );

    const error = await failure(provider.chat(request));

    expect(error).toMatchObject({ code: "BAD_REQUEST", upstreamStatus: 400 });
    expect(error.message).toContain("maximum context length is 4096 tokens");
  });

  it("maps other 4xx (a wrong model or path) to UPSTREAM with the message", async () => {
    const { provider } = await fakeProvider((_req, res) => sendJson(res, 404, { error: "model 'nope' not found" }));
    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 404 });
    expect(error.message).toContain("model 'nope' not found");
  });

  it("maps 500 to retryable UPSTREAM, also for streams", async () => {
    const { provider } = await fakeProvider((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error: worker died");
    });

    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 500, retryable: true });
    expect(error.message).toContain("HTTP 500");
    // A body that is not JSON is not repeated (it may be any page that answered at that address).
    expect(error.message).toContain("no error message we repeat");
    expect(error.message).not.toContain("worker died");

    const streamError = await failure(collect(provider.streamChat(request)));
    expect(streamError).toMatchObject({ code: "UPSTREAM", upstreamStatus: 500 });
  });

  it("reports a non-JSON 200 body as a malformed response", async () => {
    const { provider } = await fakeProvider((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"choices": [');
    });
    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "UPSTREAM" });
    expect(error.message).toMatch(/^malformed response: /);
  });

  it("reports JSON of the wrong shape as a malformed response naming the field", async () => {
    const { provider } = await fakeProvider((_req, res) => sendJson(res, 200, { choices: [] }));
    const error = await failure(provider.chat(request));
    expect(error.message).toMatch(/^malformed response: .*choices/);
  });

  it("reports a stream that is not SSE as malformed", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      writeInPieces(res, `data: ${JSON.stringify(chunk({ content: "a" }))}\n\n<html>proxy error</html>\n\n`, []),
    );
    const seen: ChatDelta[] = [];
    const error = await failure(
      (async () => {
        for await (const item of provider.streamChat(request)) seen.push(item);
      })(),
    );
    expect(seen).toEqual([{ type: "text", text: "a" }]);
    expect(error).toMatchObject({ code: "UPSTREAM" });
    expect(error.message).toMatch(/^malformed response: invalid SSE/);
    // What answered may not be an LLM server at all: its content is never repeated.
    expect(error.message).not.toContain("<html>");
  });

  it("reports invalid JSON inside an SSE event as malformed", async () => {
    const { provider } = await fakeProvider((_req, res) => writeInPieces(res, "data: {not json}\n\n", []));
    const error = await failure(collect(provider.streamChat(request)));
    expect(error.message).toMatch(/^malformed response: invalid JSON in a stream event/);
  });

  it("surfaces an error sent mid-stream with its message, after the text before it", async () => {
    const body = sse([
      { data: chunk({ content: "partial" }) },
      { data: { error: { message: "CUDA out of memory", type: "InternalServerError", code: 500 } } },
    ]);
    const { fake, provider } = await fakeProvider((_req, res) => writeInPieces(res, body, [], { end: false }));
    const seen: ChatDelta[] = [];

    const error = await failure(
      (async () => {
        for await (const item of provider.streamChat(request)) seen.push(item);
      })(),
    );

    expect(seen).toEqual([{ type: "text", text: "partial" }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "UPSTREAM" });
    expect(error.message).toContain("CUDA out of memory");
    expect(await fake.requests[0].completed).toBe(false); // we hung up rather than wait
  });

  it("reports a stream cut off before it finished", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      writeInPieces(res, sse([{ data: chunk({ content: "a" }) }]), []),
    );
    const error = await failure(collect(provider.streamChat(request)));
    expect(error).toMatchObject({ code: "UPSTREAM", retryable: true });
    expect(error.message).toContain("closed the stream before it finished");
  });

  it("maps connection refused to UNAVAILABLE naming the host", async () => {
    const port = await closedPort();
    const provider = new OpenAICompatibleProvider({ baseUrl: `http://127.0.0.1:${port}/v1` });

    const error = await failure(provider.chat(request));

    expect(error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(error.message).toBe(`upstream 127.0.0.1:${port} is unreachable (ECONNREFUSED)`);
  });

  it("times out a server that never answers", async () => {
    const { provider } = await fakeProvider(() => {});
    const started = performance.now();

    const error = await failure(provider.chat(request, { timeoutMs: 100 }));

    expect(error).toMatchObject({ code: "UPSTREAM", retryable: true });
    expect(error.message).toContain("timed out after 100 ms");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("times out a stream that goes quiet (idle timeout), after the text before it", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      writeInPieces(res, sse([{ data: chunk({ content: "a" }) }]), [], { end: false }),
    );
    const seen: ChatDelta[] = [];

    const error = await failure(
      (async () => {
        for await (const item of provider.streamChat(request, { idleTimeoutMs: 80 })) seen.push(item);
      })(),
    );

    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ code: "UPSTREAM" });
    expect(error.message).toContain("timed out after 80 ms waiting for stream data");
    expect(await fake.requests[0].completed).toBe(false);
  });

  it("rejects with ProviderAbortError (not a DomainError) when the caller aborts a waiting call", async () => {
    const { fake, provider } = await fakeProvider(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);

    const error = await failure(provider.chat(request, { signal: controller.signal }));

    expect(error).toBeInstanceOf(ProviderAbortError);
    expect(error).not.toBeInstanceOf(DomainError);
    expect(error.name).toBe("AbortError");
    expect(isProviderAbort(error)).toBe(true);
    expect(await fake.requests[0].completed).toBe(false);
  });

  it("aborts a stream mid-way, even inside a read chunk, and closes the upstream connection", async () => {
    const { fake, provider } = await fakeProvider(async (_req, res) => {
      // Two events in one write: the abort lands while the second is already buffered.
      const body = sse([{ data: chunk({ content: "one" }) }, { data: chunk({ content: "two" }) }]);
      await writeInPieces(res, body, [], { end: false });
      await pause(5000);
    });
    const controller = new AbortController();
    const seen: ChatDelta[] = [];

    const error = await failure(
      (async () => {
        for await (const item of provider.streamChat(request, { signal: controller.signal })) {
          seen.push(item);
          controller.abort();
        }
      })(),
    );

    expect(seen).toEqual([{ type: "text", text: "one" }]);
    expect(error).toBeInstanceOf(ProviderAbortError);
    expect(await fake.requests[0].completed).toBe(false);
  });

  it("does not call the upstream when the signal is already aborted", async () => {
    const { fake, provider } = await fakeProvider((_req, res) => sendJson(res, 200, {}));
    const error = await failure(provider.chat(request, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(ProviderAbortError);
    expect(fake.requests).toHaveLength(0);
  });

  it("closes the upstream connection when the consumer stops reading", async () => {
    const { fake, provider } = await fakeProvider(async (_req, res) => {
      await writeInPieces(res, sse([{ data: chunk({ content: "one" }) }]), [], { end: false });
      await pause(5000);
    });

    for await (const item of provider.streamChat(request)) {
      expect(item).toEqual({ type: "text", text: "one" });
      break;
    }

    expect(await fake.requests[0].completed).toBe(false);
  });

  it("rejects an invalid request before calling anyone", async () => {
    const provider = new OpenAICompatibleProvider({ baseUrl: "http://127.0.0.1:9/v1" });
    expect(() => provider.streamChat({ ...request, messages: [] })).toThrow(DomainError);
    await expect(provider.chat({ ...request, temperature: 5 })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});

describe("OpenAI-compatible pass-through", () => {
  const body = {
    model: "gpt-x",
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA==" } }] }],
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    n: 2,
    future_field: { x: 1 },
  };

  it("sends the body as is and keeps the upstream's JSON answer", async () => {
    const answer = {
      id: "chatcmpl-9",
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
        },
        { index: 1, message: { role: "assistant", content: "hi" }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 2 } },
    };
    const { fake, provider } = await fakeProvider((_req, res) => sendJson(res, 200, answer));
    const result = await provider.chatBody(body);
    expect(fake.requests[0].body).toEqual(body);
    expect(result).toMatchObject({ text: "", finishReason: "tool_calls", usage: { inputTokens: 3, outputTokens: 4 } });
    expect(result.response).toEqual(answer);
  });

  it("streams every upstream chunk as it came, marking tool-call deltas", async () => {
    const chunks = [
      chunk({ role: "assistant", tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: '{"a' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '":1}' } }] }),
      chunk({ content: "hi" }),
      chunk({}, "tool_calls"),
      { id: "chatcmpl-1", choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
    ];
    const { fake, provider } = await fakeProvider((_req, res) =>
      writeInPieces(res, sse([...chunks.map((data) => ({ data })), { data: "[DONE]" }]), [20, 61, 90]),
    );
    const items = await collect(provider.streamChatBody(Object.assign({}, body, { stream: true })));
    expect(fake.requests[0].body).toEqual(Object.assign({}, body, { stream: true }));
    expect(items.slice(0, -1)).toEqual(
      chunks.map((c, i) => ({ type: "text", text: i === 2 ? "hi" : "", chunk: c, toolCall: i < 2 })),
    );
    expect(items.at(-1)).toMatchObject({ type: "done", text: "hi", finishReason: "tool_calls" });
  });
});

describe("usage details", () => {
  const body = { model: "gpt-x", messages: [{ role: "user", content: "hi" }] };
  const details = {
    prompt_tokens: 1200,
    completion_tokens: 300,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 256, accepted_prediction_tokens: 0 },
  };

  it("reads cached and reasoning tokens from a JSON answer", async () => {
    const answer = { id: "c", choices: [{ message: { content: "ok" }, finish_reason: "stop" }], usage: details };
    const { provider } = await fakeProvider((_req, res) => sendJson(res, 200, answer));
    const result = await provider.chatBody(body);
    expect(result.usage).toEqual({
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1024,
      reasoningTokens: 256,
    });
  });

  it("reads them from a stream's usage chunk", async () => {
    const chunks = [chunk({ content: "ok" }), chunk({}, "stop"), { id: "chatcmpl-1", choices: [], usage: details }];
    const { provider } = await fakeProvider((_req, res) =>
      writeInPieces(res, sse([...chunks.map((data) => ({ data })), { data: "[DONE]" }]), [17, 70]),
    );
    const items = await collect(provider.streamChatBody(Object.assign({}, body, { stream: true })));
    const done = items.at(-1) as Extract<ChatDelta, { type: "done" }>;
    expect(done.usage).toEqual({ inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1024, reasoningTokens: 256 });
  });

  it("ignores details that are null or not counts, and leaves them out when absent", async () => {
    const usage = {
      prompt_tokens: 5,
      completion_tokens: 2,
      prompt_tokens_details: null,
      completion_tokens_details: { reasoning_tokens: -1 },
    };
    const answer = { choices: [{ message: { content: "ok" }, finish_reason: "stop" }], usage };
    const { provider } = await fakeProvider((_req, res) => sendJson(res, 200, answer));
    expect((await provider.chatBody(body)).usage).toEqual({ inputTokens: 5, outputTokens: 2 });
  });
});
