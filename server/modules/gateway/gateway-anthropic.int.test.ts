/**
 * Chat Completions served by an Anthropic upstream: driven by the unmodified `openai` SDK against a fake speaking
 * the Messages API (real SSE, tool input cut mid-JSON across TCP writes), the upstream receives the translation
 * and the client gets what an OpenAI-compatible upstream would have answered. What cannot be translated is a 400
 * naming the field, before the upstream is called.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "@/server/db";
import { messageEvents, type StreamedAnswer } from "@/server/modules/providers/anthropic-chat/testing/messages-stream";
import {
  byteOffset,
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  sse,
  startFakeUpstream,
  writeInPieces,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-anthropic-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
const sink = new MemorySink();
let respond: FakeHandler;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  const claude = await fixture.caller.models.create({
    name: "fake-claude",
    provider: "anthropic",
    task: "chat",
    priceInputPerMTok: 3,
    priceOutputPerMTok: 15,
  });
  await fixture.caller.models.createVersion({
    modelId: claude.id,
    endpointBaseUrl: fake.origin,
    upstreamModelId: "claude-x",
    apiKey: "sk-ant-upstream",
    defaultParams: { maxTokens: 256 },
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  respond = (_req, res) => sendJson(res, 500, { type: "error", error: { type: "api_error", message: "unprogrammed" } });
});

const lastBody = () => fake.requests.at(-1)!.body as Record<string, unknown>;
const logOf = async (requestId: string | null | undefined) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};
const requestIdOf = (value: unknown) => (value as { switchyard: { requestId: string } }).switchyard.requestId;

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};
const anthropicTool = {
  name: "get_weather",
  description: "Weather in a city",
  input_schema: weatherTool.function.parameters,
};

/** A whole Messages API answer. */
const message = (content: unknown[], stopReason: string, usage: Record<string, number>) => ({
  id: "msg_01XFDUDYJgAACzvnptvVoYEL",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content,
  stop_reason: stopReason,
  stop_sequence: null,
  usage,
});

/** Streams `answer`, cutting every tool input fragment in two across TCP writes (and the events around it). */
function streamAnswer(answer: StreamedAnswer): FakeHandler {
  const text = sse(messageEvents(answer));
  const cuts: number[] = [];
  for (const call of answer.toolCalls ?? [])
    for (const piece of call.json) cuts.push(byteOffset(text, JSON.stringify(piece).slice(1, -1)) + 2);
  cuts.push(byteOffset(text, "message_delta") + 4);
  return (_req, res) => writeInPieces(res, text, cuts);
}

describe("tools", () => {
  it("non-streamed: the tool history is translated and the tool_use comes back as tool_calls", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        message(
          [
            { type: "text", text: "Checking Oslo too." },
            { type: "tool_use", id: "toolu_02", name: "get_weather", input: { city: "Oslo", unit: "c" } },
          ],
          "tool_use",
          { input_tokens: 40, output_tokens: 25, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        ),
      );
    const completion = await client.chat.completions.create({
      model: "fake-claude",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris and Oslo?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "toolu_01",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "toolu_01", content: '{"temp":21}' },
      ],
      tools: [weatherTool],
      tool_choice: "auto",
      parallel_tool_calls: false,
      temperature: 0.5,
      user: "user-7",
    });
    const received = fake.requests.at(-1)!;
    expect(received.path).toBe("/v1/messages");
    expect(received.headers["x-api-key"]).toBe("sk-ant-upstream");
    expect(received.headers["anthropic-version"]).toBe("2023-06-01");
    expect(received.body).toEqual({
      model: "claude-x",
      max_tokens: 256,
      system: "Be brief.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo?" }] },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris", unit: "c" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: '{"temp":21}' }] },
      ],
      tools: [anthropicTool],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      temperature: 0.5,
      metadata: { user_id: "user-7" },
      stream: false,
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Checking Oslo too.");
    expect(choice.message.tool_calls).toEqual([
      { id: "toolu_02", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"c"}' } },
    ]);
    expect(completion.model).toBe("fake-claude@1");
    expect(completion.usage).toEqual({
      prompt_tokens: 40,
      completion_tokens: 25,
      total_tokens: 65,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    const log = await logOf(requestIdOf(completion));
    expect(log).toMatchObject({ status: 200, tokensIn: 40, tokensOut: 25 });
  });

  it("streamed: fragments cut mid-JSON reassemble into the tool call, with the usage chunk last", async () => {
    respond = streamAnswer({
      toolCalls: [{ id: "toolu_03", name: "get_weather", json: ['{"city": "Pa', 'ris", "un', 'it": "c"}'] }],
      stopReason: "tool_use",
      usage: { input_tokens: 30, cache_read_input_tokens: 12, cache_creation_input_tokens: 0 },
      outputTokens: 17,
    });
    const stream = await client.chat.completions.create({
      model: "fake-claude",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(lastBody()).toEqual({
      model: "claude-x",
      max_tokens: 256,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris?" }] }],
      tools: [anthropicTool],
      tool_choice: { type: "tool", name: "get_weather" },
      stream: true,
    });
    const fragments = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(fragments[0]).toEqual({
      index: 0,
      id: "toolu_03",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    expect(fragments.slice(1).map((f) => f.function?.arguments)).toEqual(['{"city": "Pa', 'ris", "un', 'it": "c"}']);
    expect(JSON.parse(fragments.map((f) => f.function?.arguments).join(""))).toEqual({ city: "Paris", unit: "c" });
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 42,
      completion_tokens: 17,
      total_tokens: 59,
      prompt_tokens_details: { cached_tokens: 12 },
    });
    const log = await logOf(requestIdOf(chunks[0]));
    expect(log).toMatchObject({ status: 200, stream: true, tokensIn: 42, tokensOut: 17 });
    expect(log.ttftMs).toBeGreaterThan(0);
  });

  it("runs tools with the SDK's runTools helper: the call and its result go back to Anthropic as tool_use/tool_result", async () => {
    respond = (req, res) => {
      const body = req.body as { messages: { content: { type: string }[] }[] };
      const last = body.messages.at(-1)!.content;
      if (last.some((block) => block.type === "tool_result"))
        return streamAnswer({ text: ["21 °C in ", "Paris."], usage: { input_tokens: 60 } })(req, res);
      return streamAnswer({
        toolCalls: [{ id: "toolu_run", name: "get_weather", json: ['{"city":"Pa', 'ris","unit":"c"}'] }],
        stopReason: "tool_use",
        usage: { input_tokens: 30 },
      })(req, res);
    };
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: "fake-claude",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      stream: true,
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather in a city",
            parameters: weatherTool.function.parameters,
            parse: JSON.parse,
            function: (args: { city: string; unit: string }) => {
              seen.push(args);
              return { temp: 21, unit: args.unit };
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe("21 °C in Paris.");
    expect(seen).toEqual([{ city: "Paris", unit: "c" }]);
    expect((lastBody().messages as unknown[]).slice(1)).toEqual([
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_run", name: "get_weather", input: { city: "Paris", unit: "c" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_run", content: '{"temp":21,"unit":"c"}' }] },
    ]);
  });
});

describe("structured outputs, images and cache usage", () => {
  it("parses a zod response_format: the schema goes out as output_config.format", async () => {
    const Weather = z.object({ city: z.string(), celsius: z.number() });
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        message([{ type: "text", text: '{"city":"Paris","celsius":21.5}' }], "end_turn", {
          input_tokens: 50,
          output_tokens: 12,
        }),
      );
    const completion = await client.chat.completions.parse({
      model: "fake-claude",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    expect(completion.choices[0].message.parsed).toEqual({ city: "Paris", celsius: 21.5 });
    expect(lastBody().output_config).toEqual({
      format: {
        type: "json_schema",
        schema: expect.objectContaining({ type: "object", required: ["city", "celsius"], additionalProperties: false }),
      },
    });
    expect(lastBody()).not.toHaveProperty("response_format");
  });

  it("sends image parts as base64 and URL image sources", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        message([{ type: "text", text: "Two cats." }], "end_turn", { input_tokens: 900, output_tokens: 3 }),
      );
    const png = Buffer.from("\x89PNG fake image bytes").toString("base64");
    const completion = await client.chat.completions.create({
      model: "fake-claude",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(completion.choices[0].message.content).toBe("Two cats.");
    expect(lastBody().messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("reports cache reads as prompt_tokens_details.cached_tokens, counted in prompt_tokens", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        message([{ type: "text", text: "Cached." }], "end_turn", {
          input_tokens: 10,
          cache_read_input_tokens: 2048,
          cache_creation_input_tokens: 100,
          output_tokens: 4,
        }),
      );
    const completion = await client.chat.completions.create({
      model: "fake-claude",
      messages: [{ role: "user", content: "Again?" }],
    });
    expect(completion.usage).toEqual({
      prompt_tokens: 2158,
      completion_tokens: 4,
      total_tokens: 2162,
      prompt_tokens_details: { cached_tokens: 2048 },
    });
    const log = await logOf(requestIdOf(completion));
    expect(log).toMatchObject({ status: 200, tokensIn: 2158, tokensOut: 4 });
  });
});

describe("what cannot be translated", () => {
  it("is a 400 naming the model and the field, logged once, and the upstream is not called", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ top_k: 5 }, "top_k"],
      [{ response_format: { type: "json_object" } }, "response_format"],
      [
        {
          messages: [
            { role: "user", content: "x" },
            {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
            },
          ],
        },
        "messages.1.tool_calls.0.function.arguments",
      ],
    ];
    const before = fake.requests.length;
    for (const [extra, param] of cases) {
      for (const stream of [false, true]) {
        const body = Object.assign(
          { model: "fake-claude", messages: [{ role: "user", content: "hi" }], stream },
          extra,
        );
        const error = await client.chat.completions
          .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
          .catch((e: unknown) => e);
        expect(error, JSON.stringify(extra)).toBeInstanceOf(OpenAI.BadRequestError);
        const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
        expect(bad.param, JSON.stringify(extra)).toBe(param);
        expect(bad.message).toMatch(/fake-claude@1.*Anthropic/);
        const log = await logOf(bad.requestID ?? bad.headers?.get("x-request-id"));
        expect(log).toMatchObject({ status: 400, errorCode: "VALIDATION" });
      }
    }
    expect(fake.requests.length).toBe(before);
  });
});
