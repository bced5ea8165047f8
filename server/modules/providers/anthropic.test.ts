import { afterEach, describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { ANTHROPIC_VERSION, AnthropicProvider, DEFAULT_ANTHROPIC_MAX_TOKENS } from "./anthropic";
import { ProviderAbortError, ProviderError } from "./errors";
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

const KEY = "sk-ant-test-secret";
const request: ChatRequest = {
  model: "claude-sonnet-4-5",
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello." },
    { role: "system", content: "Answer in French." },
    { role: "user", content: "How are you?" },
  ],
  temperature: 0.5,
  topP: 0.8,
  maxTokens: 100,
  stop: ["END"],
  seed: 3,
};

const expectedBody = {
  model: "claude-sonnet-4-5",
  max_tokens: 100,
  system: "You are terse.\n\nAnswer in French.",
  messages: [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello." },
    { role: "user", content: "How are you?" },
  ],
  temperature: 0.5,
  top_p: 0.8,
  stop_sequences: ["END"],
};

async function fakeProvider(handler: FakeHandler, baseSuffix = "") {
  const fake = await startFakeUpstream(handler);
  const provider = new AnthropicProvider({ baseUrl: `${fake.origin}${baseSuffix}`, apiKey: KEY });
  return { fake, provider };
}

async function collect(stream: AsyncIterable<ChatDelta>, seen: ChatDelta[] = []) {
  for await (const item of stream) seen.push(item);
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } });

/** The event sequence the Messages API sends, ping and block boundaries included. */
function streamEvents(texts: string[], stopReason = "end_turn") {
  return [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id: "msg_01",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5-20250929",
          content: [],
          stop_reason: null,
          usage: { input_tokens: 25, cache_read_input_tokens: 5, output_tokens: 1 },
        },
      },
    },
    {
      event: "content_block_start",
      data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    },
    { event: "ping", data: { type: "ping" } },
    ...texts.map((text) => ({
      event: "content_block_delta",
      data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    })),
    { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: 9 },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
}

describe("Anthropic chat", () => {
  it("hoists system turns into `system` and sends the Messages API headers", async () => {
    const { fake, provider } = await fakeProvider((_req, res) =>
      sendJson(res, 200, {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [
          { type: "text", text: "Très bien, " },
          { type: "text", text: "merci." },
        ],
        stop_reason: "stop_sequence",
        stop_sequence: "END",
        usage: { input_tokens: 30, cache_creation_input_tokens: 10, cache_read_input_tokens: 2, output_tokens: 6 },
      }),
    );

    const result = await provider.chat(request);

    const [received] = fake.requests;
    expect(received.path).toBe("/v1/messages");
    expect(received.headers["x-api-key"]).toBe(KEY);
    expect(received.headers["anthropic-version"]).toBe(ANTHROPIC_VERSION);
    expect(received.headers.authorization).toBeUndefined();
    expect(received.body).toEqual({ ...expectedBody, stream: false });
    expect(result).toMatchObject({
      id: "msg_01",
      model: "claude-sonnet-4-5-20250929",
      text: "Très bien, merci.",
      finishReason: "stop",
      rawFinishReason: "stop_sequence",
      usage: { inputTokens: 42, outputTokens: 6 },
    });
    expect(result.timing.ttftMs).toBeNull();
  });

  it("defaults max_tokens, omits system when there is none, and tolerates a base URL ending in /v1", async () => {
    const { fake, provider } = await fakeProvider(
      (_req, res) =>
        sendJson(res, 200, { content: [], stop_reason: "max_tokens", usage: { input_tokens: 1, output_tokens: 0 } }),
      "/v1/",
    );

    const result = await provider.chat({ model: "claude-haiku", messages: [{ role: "user", content: "x" }] });

    expect(fake.requests[0].path).toBe("/v1/messages");
    expect(fake.requests[0].body).toEqual({
      model: "claude-haiku",
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      messages: [{ role: "user", content: "x" }],
      stream: false,
    });
    expect(result).toMatchObject({ text: "", finishReason: "length", usage: { inputTokens: 1, outputTokens: 0 } });
  });

  it("streams text deltas cut mid-character and mid-line, with usage, stop reason and TTFT", async () => {
    const body = sse(streamEvents(["Ça va ", "très bien 🙂", ""], "max_tokens"));
    const smiley = byteOffset(body, "🙂");
    const cuts = [
      byteOffset(body, "event: ping") + 4, // inside an event name
      byteOffset(body, "Ça") + 1, // between the two bytes of "Ç"
      smiley + 2, // inside the emoji
      byteOffset(body, '"output_tokens":9') + 5,
      byteOffset(body, "message_stop") + 3,
    ];
    const { fake, provider } = await fakeProvider(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      await pause(40);
      await writeInPieces(res, body, cuts);
    });

    const items = await collect(provider.streamChat(request));

    expect(fake.requests[0].body).toEqual({ ...expectedBody, stream: true });
    expect(fake.requests[0].headers.accept).toBe("text/event-stream");
    expect(items.slice(0, -1)).toEqual([
      { type: "text", text: "Ça va " },
      { type: "text", text: "très bien 🙂" },
    ]);
    const done = items.at(-1);
    expect(done).toMatchObject({
      type: "done",
      id: "msg_01",
      model: "claude-sonnet-4-5-20250929",
      text: "Ça va très bien 🙂",
      finishReason: "length",
      rawFinishReason: "max_tokens",
      usage: { inputTokens: 30, outputTokens: 9 },
    });
    if (done?.type !== "done") throw new Error("no done item");
    expect(done.timing.ttftMs).toBeGreaterThanOrEqual(35);
    expect(done.timing.latencyMs).toBeGreaterThanOrEqual(done.timing.ttftMs ?? Number.NaN);
  });
});

describe("Anthropic errors", () => {
  it("maps 401 to UPSTREAM 'upstream rejected the API key' without the key", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 401, anthropicError("authentication_error", `invalid x-api-key ${KEY}`)),
    );
    const error = await failure(provider.chat(request));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 401 });
    expect(error.message).toMatch(/^upstream rejected the API key/);
    expect(error.message).not.toContain(KEY);
  });

  it("maps 429 to RATE_LIMITED with retry-after", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 429, anthropicError("rate_limit_error", "Number of request tokens has exceeded your limit"), {
        "retry-after": "12",
      }),
    );
    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 12_000 });
    expect(error.message).toContain("Number of request tokens has exceeded your limit");
  });

  it("maps 400 to BAD_REQUEST with the upstream's message", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 400, anthropicError("invalid_request_error", "max_tokens: 100000 > 64000")),
    );
    const error = await failure(provider.chat(request));
    expect(error).toMatchObject({ code: "BAD_REQUEST", upstreamStatus: 400 });
    expect(error.message).toContain("max_tokens: 100000 > 64000");
  });

  it("maps 529 overloaded to retryable UPSTREAM", async () => {
    const { provider } = await fakeProvider((_req, res) =>
      sendJson(res, 529, anthropicError("overloaded_error", "Overloaded")),
    );
    const error = await failure(collect(provider.streamChat(request)));
    expect(error).toMatchObject({ code: "UPSTREAM", upstreamStatus: 529, retryable: true });
    expect(error.message).toContain("Overloaded");
  });

  it("reports malformed JSON and malformed SSE", async () => {
    const { provider } = await fakeProvider((req, res) => {
      if ((req.body as { stream: boolean }).stream) return writeInPieces(res, "event: message_start\nnonsense\n\n", []);
      res.writeHead(200, { "content-type": "application/json" });
      res.end("<html>bad gateway</html>");
    });

    const jsonError = await failure(provider.chat(request));
    expect(jsonError).toMatchObject({ code: "UPSTREAM" });
    expect(jsonError.message).toMatch(/^malformed response: expected JSON/);

    const sseError = await failure(collect(provider.streamChat(request)));
    expect(sseError).toMatchObject({ code: "UPSTREAM" });
    expect(sseError.message).toMatch(/^malformed response: invalid SSE/);
  });

  it("reports an event with the wrong shape as malformed", async () => {
    const body = sse([{ event: "content_block_delta", data: { type: "content_block_delta", delta: "oops" } }]);
    const { provider } = await fakeProvider((_req, res) => writeInPieces(res, body, []));
    const error = await failure(collect(provider.streamChat(request)));
    expect(error.message).toMatch(/^malformed response: unexpected shape .*delta/);
  });

  it("surfaces an `error` event mid-stream with its message", async () => {
    const events = streamEvents(["Bonjour"]).slice(0, 4);
    const body = sse([...events, { event: "error", data: anthropicError("overloaded_error", "Overloaded") }]);
    const { fake, provider } = await fakeProvider((_req, res) => writeInPieces(res, body, [], { end: false }));
    const seen: ChatDelta[] = [];

    const error = await failure(collect(provider.streamChat(request), seen));

    expect(seen).toEqual([{ type: "text", text: "Bonjour" }]);
    expect(error).toMatchObject({ code: "UPSTREAM", retryable: true });
    expect(error.message).toBe(`upstream ${new URL(fake.origin).host} reported an error mid-stream: Overloaded`);
    expect(await fake.requests[0].completed).toBe(false);
  });

  it("reports a stream that ends without message_stop", async () => {
    const body = sse(streamEvents(["Bon"]).slice(0, 4));
    const { provider } = await fakeProvider((_req, res) => writeInPieces(res, body, []));
    const error = await failure(collect(provider.streamChat(request)));
    expect(error.message).toContain("closed the stream before message_stop");
  });

  it("maps connection refused to UNAVAILABLE naming the host", async () => {
    const port = await closedPort();
    const provider = new AnthropicProvider({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY });
    const error = await failure(collect(provider.streamChat(request)));
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it("times out waiting for the response headers of a stream", async () => {
    const { provider } = await fakeProvider(() => {});
    const error = await failure(collect(provider.streamChat(request, { timeoutMs: 60 })));
    expect(error).toMatchObject({ code: "UPSTREAM" });
    expect(error.message).toContain("timed out after 60 ms waiting for the response");
  });

  it("keeps a slow stream alive while bytes (pings) keep coming, then finishes", async () => {
    const events = streamEvents(["slow"]);
    const { provider } = await fakeProvider(async (_req, res) => {
      for (const event of events) await writeInPieces(res, sse([event]), [], { end: false, gapMs: 30 });
      res.end();
    });
    const items = await collect(provider.streamChat(request, { idleTimeoutMs: 60 }));
    expect(items.at(-1)).toMatchObject({ type: "done", text: "slow" });
  });

  it("stops on the caller's abort with ProviderAbortError", async () => {
    const { fake, provider } = await fakeProvider(async (_req, res) => {
      await writeInPieces(res, sse(streamEvents(["one"]).slice(0, 4)), [], { end: false });
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

    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(ProviderAbortError);
    expect(error).not.toBeInstanceOf(DomainError);
    expect(await fake.requests[0].completed).toBe(false);
  });
});
