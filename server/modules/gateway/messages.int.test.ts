/**
 * POST /v1/messages driven by the unmodified `@anthropic-ai/sdk`: translated onto the chat pipeline toward an
 * OpenAI-compatible fake upstream (tools, tool results, images, streams with argument fragments split mid-JSON),
 * the local ONNX demo model, and an Anthropic fake upstream (sent the native request: text and tools, streamed and not);
 * errors in Anthropic's shape; one log row each.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { DEMO_REPLY } from "@/server/modules/inference/model-builder/pattern";
import { messageEvents } from "@/server/modules/providers/anthropic-chat/testing/messages-stream";
import {
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  sse,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { openAIStream, reply, upstreamChunk } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-messages-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: Anthropic;
let key: string;
let projectId: string;
const sink = new MemorySink();
let respond: FakeHandler;
/** Headers of every request the SDK sent, to see how it authenticated. */
const sentHeaders: Headers[] = [];
withTestDatabase((created) => {
  db = created;
});

const recordingFetch: typeof fetch = (input, init) => {
  sentHeaders.push(new Headers(init?.headers));
  return fetch(input, init);
};

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  key = fixture.key;
  projectId = fixture.project.id;
  const claude = await fixture.caller.models.create({ name: "fake-claude", provider: "anthropic", task: "chat" });
  await fixture.caller.models.createVersion({
    modelId: claude.id,
    endpointBaseUrl: fake.origin,
    upstreamModelId: "claude-x",
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new Anthropic({ baseURL: gateway.origin, apiKey: key, maxRetries: 0, fetch: recordingFetch });
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  respond = (_req, res) => sendJson(res, 500, { error: { message: "no answer programmed" } });
});

const lastBody = () => fake.requests.at(-1)!.body as Record<string, unknown>;
const logOf = async (requestId: string | null | undefined) => {
  expect(requestId).toBeTruthy();
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};

const weatherTool = {
  name: "get_weather",
  description: "Weather in a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
    required: ["city", "unit"],
  },
};

const chatCompletion = (message: Record<string, unknown>, finish: string, usage: Record<string, unknown>) => ({
  id: "chatcmpl-up",
  object: "chat.completion",
  created: 1_741_570_283,
  model: "gpt-4o",
  choices: [{ index: 0, message: Object.assign({ role: "assistant" }, message), finish_reason: finish }],
  usage,
});

describe("toward an OpenAI-compatible upstream", () => {
  it("translates tools both ways (not streamed), says what served it and logs the row", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        chatCompletion(
          {
            content: "Let me look.",
            tool_calls: [
              {
                id: "call_Dn2R",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
              },
            ],
          },
          "tool_calls",
          { prompt_tokens: 31, completion_tokens: 18, total_tokens: 49, prompt_tokens_details: { cached_tokens: 16 } },
        ),
      );
    const { data, response } = await client.messages
      .create({
        model: "fake-gpt",
        max_tokens: 300,
        system: "Use the tools.",
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [weatherTool],
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
        stop_sequences: ["###"],
        metadata: { user_id: "u-7" },
      })
      .withResponse();

    expect(lastBody()).toEqual({
      model: "fake-model",
      messages: [
        { role: "system", content: "Use the tools." },
        { role: "user", content: "Weather in Paris?" },
      ],
      max_tokens: 300,
      stop: ["###"],
      user: "u-7",
      tools: [
        {
          type: "function",
          function: { name: "get_weather", description: "Weather in a city", parameters: weatherTool.input_schema },
        },
      ],
      tool_choice: "auto",
      parallel_tool_calls: false,
    });
    expect(data).toMatchObject({
      type: "message",
      role: "assistant",
      model: "fake-gpt@1",
      content: [
        { type: "text", text: "Let me look." },
        { type: "tool_use", id: "call_Dn2R", name: "get_weather", input: { city: "Paris", unit: "c" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 15, output_tokens: 18, cache_read_input_tokens: 16, cache_creation_input_tokens: 0 },
    });
    const requestId = response.headers.get("x-request-id");
    expect(data.id).toBe(`msg_${requestId!.replaceAll("-", "")}`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("x-switchyard-model-version")).toBe("fake-gpt@1");
    expect((data as unknown as { switchyard: { requestId: string } }).switchyard.requestId).toBe(requestId);
    const log = await logOf(requestId);
    expect(log).toMatchObject({
      projectId,
      method: "POST",
      path: "/v1/messages",
      status: 200,
      requestedModel: "fake-gpt",
      stream: false,
      userId: "u-7",
      tokensIn: 31,
      tokensOut: 18,
    });
  });

  it("streams tool calls as input_json_delta fragments the SDK reassembles", async () => {
    const call = (index: number, fn: Record<string, unknown>, id?: string) => ({
      id: "chatcmpl-s",
      object: "chat.completion.chunk",
      created: 1,
      model: "gpt-4o",
      choices: [
        {
          index: 0,
          delta: { tool_calls: [Object.assign({ index, function: fn }, id ? { id, type: "function" } : {})] },
          finish_reason: null,
        },
      ],
    });
    const fragments = ['{"ci', 'ty": "Par', 'is", "unit"', ': "c"}'];
    respond = (_req, res) =>
      openAIStream(
        res,
        [
          {
            id: "chatcmpl-s",
            object: "chat.completion.chunk",
            created: 1,
            model: "gpt-4o",
            choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
          },
          call(0, { name: "get_weather", arguments: "" }, "call_A"),
          ...fragments.map((f) => call(0, { arguments: f })),
          call(1, { name: "get_weather", arguments: '{"city":"Oslo","unit":"f"}' }, "call_B"),
          {
            id: "chatcmpl-s",
            object: "chat.completion.chunk",
            created: 1,
            model: "gpt-4o",
            choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
          },
          {
            id: "chatcmpl-s",
            object: "chat.completion.chunk",
            created: 1,
            model: "gpt-4o",
            choices: [],
            usage: { prompt_tokens: 40, completion_tokens: 22, total_tokens: 62 },
          },
        ],
        29,
      );
    const stream = client.messages.stream({
      model: "fake-gpt",
      max_tokens: 200,
      messages: [{ role: "user", content: "Weather in Paris and Oslo?" }],
      tools: [weatherTool],
      tool_choice: { type: "any" },
    });
    const partials: string[] = [];
    const types: string[] = [];
    stream.on("streamEvent", (event) => {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
        partials.push(event.delta.partial_json);
    });
    const message = await stream.finalMessage();
    const { response } = await stream.withResponse();

    expect(lastBody()).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: "required",
    });
    expect(partials).toEqual([...fragments, '{"city":"Oslo","unit":"f"}']);
    expect(types[0]).toBe("message_start");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(message.content).toEqual([
      { type: "tool_use", id: "call_A", name: "get_weather", input: { city: "Paris", unit: "c" } },
      { type: "tool_use", id: "call_B", name: "get_weather", input: { city: "Oslo", unit: "f" } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 22 });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-switchyard-model-version")).toBe("fake-gpt@1");
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ path: "/v1/messages", status: 200, stream: true, tokensIn: 40, tokensOut: 22 });
  });

  it("closes the upstream and logs 499 when the client leaves mid-stream", async () => {
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse([{ data: upstreamChunk("first ") }])); // then nothing more: the client must be the one to end it
    };
    const controller = new AbortController();
    const stream = client.messages.stream(
      { model: "fake-gpt", max_tokens: 20, messages: [{ role: "user", content: "Hi" }] },
      { signal: controller.signal },
    );
    stream.on("text", () => controller.abort());
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(await fake.requests.at(-1)!.completed).toBe(false);
    const { response } = await stream.withResponse();
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ path: "/v1/messages", status: 499, errorCode: "CLIENT_CLOSED" });
  });

  it("sends a tool_result round trip as assistant tool_calls and a tool message", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        chatCompletion({ content: "It is 21°C in Paris." }, "stop", { prompt_tokens: 50, completion_tokens: 9 }),
      );
    const message = await client.messages.create({
      model: "fake-gpt",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "call_Dn2R", name: "get_weather", input: { city: "Paris", unit: "c" } }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_Dn2R", content: [{ type: "text", text: '{"temp":21}' }] },
            { type: "text", text: "Answer briefly." },
          ],
        },
      ],
    });
    expect(lastBody().messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_Dn2R",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_Dn2R", content: '{"temp":21}' },
      { role: "user", content: [{ type: "text", text: "Answer briefly." }] },
    ]);
    expect(message.content).toEqual([{ type: "text", text: "It is 21°C in Paris." }]);
    expect(message.stop_reason).toBe("end_turn");
  });

  it("sends image blocks as image_url parts", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        chatCompletion({ content: "A red pixel." }, "stop", { prompt_tokens: 90, completion_tokens: 4 }),
      );
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    const message = await client.messages.create({
      model: "fake-gpt",
      max_tokens: 50,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(lastBody().messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
    expect(message.content).toEqual([{ type: "text", text: "A red pixel." }]);
  });
});

describe("auth and errors in Anthropic's shape", () => {
  it("ends a stream the upstream breaks off with an error event the SDK throws, and logs the failure", async () => {
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(sse([{ data: upstreamChunk("partial ") }]));
    };
    const stream = client.messages.stream({
      model: "fake-gpt",
      max_tokens: 20,
      messages: [{ role: "user", content: "Hi" }],
    });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "api_error" },
    });
    expect(deltas).toEqual(["partial "]);
    const { response } = await stream.withResponse();
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ path: "/v1/messages", stream: true });
    expect(log.status).toBeGreaterThanOrEqual(500);
  });

  it("accepts the key as x-api-key and as Authorization: Bearer", async () => {
    const params = { model: "switchyard-demo", max_tokens: 40, messages: [{ role: "user" as const, content: "Hi" }] };
    // SDK 1.x sends `apiKey` as a bearer token; older SDKs and many Anthropic clients send `x-api-key`.
    const viaBearer = await client.messages.create(params);
    expect(viaBearer.content).toEqual([{ type: "text", text: DEMO_REPLY }]);
    expect(sentHeaders.at(-1)!.get("authorization")).toBe(`Bearer ${key}`);
    expect(sentHeaders.at(-1)!.get("x-api-key")).toBeNull();

    const apiKeyClient = new Anthropic({
      baseURL: gateway.origin,
      apiKey: null,
      authToken: null,
      defaultHeaders: { "x-api-key": key },
      maxRetries: 0,
      fetch: recordingFetch,
    });
    const viaApiKey = await apiKeyClient.messages.create(params);
    expect(viaApiKey.content).toEqual([{ type: "text", text: DEMO_REPLY }]);
    expect(sentHeaders.at(-1)!.get("x-api-key")).toBe(key);
    expect(sentHeaders.at(-1)!.get("authorization")).toBeNull();
  });

  it("answers 401 with authentication_error for an unknown key", async () => {
    const stranger = new Anthropic({ baseURL: gateway.origin, apiKey: "sk-sy-unknown", maxRetries: 0 });
    const error = await stranger.messages
      .create({ model: "fake-gpt", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
  });

  it("answers a 400 the SDK turns into BadRequestError, naming the field, and logs it", async () => {
    const error = await client.messages
      .create({
        model: "fake-gpt",
        max_tokens: 10,
        messages: [{ role: "user", content: "Hi" }],
        tools: [{ type: "web_search_20250305", name: "web_search" }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const bad = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.error).toEqual({
      type: "error",
      error: {
        type: "invalid_request_error",
        message: expect.stringMatching(/^tools\.0\.type: Server tool 'web_search_20250305'/),
      },
    });
    const log = await logOf(bad.headers?.get("x-request-id"));
    expect(log).toMatchObject({
      path: "/v1/messages",
      status: 400,
      errorCode: "VALIDATION",
      requestedModel: "fake-gpt",
    });
    expect(fake.requests.some((r) => JSON.stringify(r.body).includes("web_search"))).toBe(false);

    const missing = await client.messages
      .create({
        model: "fake-gpt",
        messages: [{ role: "user", content: "Hi" }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expect((missing as Error).message).toContain("max_tokens: Field required");
  });
  it("refuses what only Anthropic honours (top_k, thinking) toward other models by name; cache_control is a hint", async () => {
    const ask = (model: string, extra: Record<string, unknown>) =>
      client.messages
        .create({
          model,
          max_tokens: 10,
          messages: [{ role: "user", content: [{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }] }],
          ...extra,
        } as Anthropic.MessageCreateParamsNonStreaming)
        .catch((e: unknown) => e);
    const before = fake.requests.length;
    for (const model of ["fake-gpt", "switchyard-demo"]) {
      const topK = await ask(model, { top_k: 5 });
      expect(topK).toBeInstanceOf(Anthropic.BadRequestError);
      expect((topK as Error).message).toMatch(/top_k: model '[^']+' cannot honour 'top_k'/);
      const thinking = await ask(model, { thinking: { type: "enabled", budget_tokens: 1024 } });
      expect((thinking as Error).message).toMatch(/thinking: model '[^']+' cannot honour 'thinking'/);
    }
    expect(fake.requests.length).toBe(before);
    respond = (req, res) => reply(req, res, ["ok"]);
    const served = await ask("fake-gpt", {});
    expect((served as Anthropic.Message).content).toEqual([{ type: "text", text: "ok" }]);
  });
});

describe("with the local ONNX demo model", () => {
  it("answers text, streamed and not", async () => {
    const params = { model: "switchyard-demo", max_tokens: 60, messages: [{ role: "user" as const, content: "Hi" }] };
    const whole = await client.messages.create(params);
    expect(whole).toMatchObject({
      model: "switchyard-demo@1",
      content: [{ type: "text", text: DEMO_REPLY }],
      stop_reason: "end_turn",
    });
    expect(whole.usage.input_tokens).toBeGreaterThan(0);
    expect(whole.usage.output_tokens).toBeGreaterThan(5);

    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const streamed = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(DEMO_REPLY);
    expect(streamed.content).toEqual([{ type: "text", text: DEMO_REPLY }]);
    expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
  });

  it("refuses tools its template does not take with the pipeline's 400 naming the model and the field", async () => {
    const error = await client.messages
      .create({
        model: "switchyard-demo",
        max_tokens: 20,
        messages: [{ role: "user", content: "Hi" }],
        tools: [weatherTool],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toMatch(/tools: model 'switchyard-demo@1' cannot honour 'tools'/);

    // A tool turn is served: a local model reads tool calls and results through its chat template.
    const toolTurn = await client.messages.create({
      model: "switchyard-demo",
      max_tokens: 20,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Oslo" } }],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "and then?" },
            { type: "tool_result", tool_use_id: "t1", content: "cold" },
          ],
        },
      ],
    });
    expect(toolTurn.type).toBe("message");
  });
});

describe("toward an Anthropic upstream", () => {
  const anthropicMessage = {
    id: "msg_up",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [{ type: "text", text: "Hi from Claude" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 4 },
  };

  it("answers text, not streamed", async () => {
    respond = (req, res) =>
      req.path === "/v1/messages" ? sendJson(res, 200, anthropicMessage) : sendJson(res, 404, { error: "wrong path" });
    const { data, response } = await client.messages
      .create({ model: "fake-claude", max_tokens: 30, system: "Be kind.", messages: [{ role: "user", content: "Hi" }] })
      .withResponse();
    expect(lastBody()).toMatchObject({
      model: "claude-x",
      max_tokens: 30,
      system: "Be kind.",
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(data).toMatchObject({
      model: "fake-claude@1",
      content: [{ type: "text", text: "Hi from Claude" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 9, output_tokens: 4 },
    });
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log).toMatchObject({ path: "/v1/messages", status: 200, tokensIn: 9, tokensOut: 4 });
  });

  it("answers text, streamed", async () => {
    respond = (req, res) => {
      if (req.path !== "/v1/messages") return sendJson(res, 404, { error: "wrong path" });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        sse([
          {
            event: "message_start",
            data: {
              type: "message_start",
              message: Object.assign({}, anthropicMessage, {
                content: [],
                stop_reason: null,
                usage: { input_tokens: 9, output_tokens: 1 },
              }),
            },
          },
          {
            event: "content_block_start",
            data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
          },
          { event: "ping", data: { type: "ping" } },
          {
            event: "content_block_delta",
            data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi from " } },
          },
          {
            event: "content_block_delta",
            data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Claude" } },
          },
          { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
          {
            event: "message_delta",
            data: {
              type: "message_delta",
              delta: { stop_reason: "end_turn", stop_sequence: null },
              usage: { output_tokens: 4 },
            },
          },
          { event: "message_stop", data: { type: "message_stop" } },
        ]),
      );
    };
    const stream = client.messages.stream({
      model: "fake-claude",
      max_tokens: 30,
      messages: [{ role: "user", content: "Hi" }],
    });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const message = await stream.finalMessage();
    expect(lastBody()).toMatchObject({ model: "claude-x", stream: true });
    expect(deltas).toEqual(["Hi from ", "Claude"]);
    expect(message).toMatchObject({
      model: "fake-claude@1",
      content: [{ type: "text", text: "Hi from Claude" }],
      stop_reason: "end_turn",
      usage: { input_tokens: 9, output_tokens: 4 },
    });
  });

  it("sends a request with tools natively (cache_control kept) and translates the tool_use answer back", async () => {
    respond = (req, res) =>
      req.path === "/v1/messages"
        ? sendJson(
            res,
            200,
            Object.assign({}, anthropicMessage, {
              content: [
                { type: "text", text: "Checking." },
                { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris", unit: "c" } },
              ],
              stop_reason: "tool_use",
              usage: { input_tokens: 20, cache_read_input_tokens: 5, output_tokens: 7 },
            }),
          )
        : sendJson(res, 404, { error: "wrong path" });
    const messages = [
      {
        role: "user" as const,
        content: [{ type: "text" as const, text: "Weather in Paris?", cache_control: { type: "ephemeral" as const } }],
      },
    ];
    const message = await client.messages.create({
      model: "fake-claude",
      max_tokens: 100,
      messages,
      tools: [weatherTool],
    });
    expect(lastBody()).toMatchObject({ model: "claude-x", max_tokens: 100, messages, tools: [weatherTool] });
    expect(message).toMatchObject({
      model: "fake-claude@1",
      content: [
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris", unit: "c" } },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 20, cache_read_input_tokens: 5, output_tokens: 7 },
    });
  });

  it("streams a tool_use answer with its input_json_delta fragments as Anthropic sent them", async () => {
    const fragments = ['{"city": "Pa', 'ris", "unit"', ': "c"}'];
    respond = (req, res) => {
      if (req.path !== "/v1/messages") return sendJson(res, 404, { error: "wrong path" });
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        sse(
          messageEvents({
            text: ["Let me ", "check."],
            toolCalls: [{ id: "toolu_02", name: "get_weather", json: fragments }],
            stopReason: "tool_use",
            usage: { input_tokens: 12 },
            outputTokens: 30,
          }),
        ),
      );
    };
    const stream = client.messages.stream({
      model: "fake-claude",
      max_tokens: 100,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
    });
    const partials: string[] = [];
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
        partials.push(event.delta.partial_json);
    });
    const message = await stream.finalMessage();
    expect(lastBody()).toMatchObject({ model: "claude-x", stream: true, tools: [weatherTool] });
    expect(partials).toEqual(fragments);
    expect(message).toMatchObject({
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "toolu_02", name: "get_weather", input: { city: "Paris", unit: "c" } },
      ],
      stop_reason: "tool_use",
      usage: { input_tokens: 12, output_tokens: 30 },
    });
  });
});
