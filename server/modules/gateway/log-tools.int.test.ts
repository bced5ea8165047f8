/**
 * The request log sees tool-calling traffic: driven by the official `openai` SDK against a fake upstream speaking
 * OpenAI's wire format, a tool-calling answer (streamed with tool-call deltas split across chunks and bytes, and
 * not streamed) is stored in Postgres with its tool names, finish reason, cached and reasoning tokens from the
 * usage details, the modalities the request sent, the calls in the logged body, and a cost that prices cached
 * input tokens at the model's cached price.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  byteOffset,
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  sse,
  startFakeUpstream,
  writeInPieces,
} from "@/server/modules/providers/testing/fake-upstream";
import { getRequest, searchRequests } from "@/server/modules/request-log/explorer";
import { requestEntryOut, requestPageOut } from "@/server/modules/request-log/schemas";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-log-tools-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

let db: Db;
let url: string;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let writer: RequestLogWriter;
let pool: pg.Pool;
let client: OpenAI;
let projectId: string;
let respond: FakeHandler;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  projectId = fixture.project.id;
  const model = await fixture.caller.models.create({
    name: "cached-gpt",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 2,
    priceOutputPerMTok: 8,
    priceCachedInputPerMTok: 0.5,
  });
  expect(model).toMatchObject({ priceCachedInputPerMTok: 0.5, priceCacheWritePerMTok: null });
  await fixture.caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${fake.origin}/v1`,
    upstreamModelId: "gpt-x",
  });
  writer = new RequestLogWriter({ connectionString: url, flushIntervalMs: 20, log: () => {} });
  pool = new pg.Pool({ connectionString: url, max: 2 });
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: writer,
    promptCache: null,
    bodyLogging: () => "full",
  });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await writer?.close({ timeoutMs: 2_000 });
  await pool?.end();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** 1200 prompt tokens of which 1024 cached, 300 completion tokens of which 256 reasoning. */
const usage = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 256, audio_tokens: 0 },
};
/** (176 uncached × $2 + 1024 cached × $0.50 + 300 out × $8) per 1M tokens. */
const COST = (176 * 2 + 1024 * 0.5 + 300 * 8) / 1_000_000;

const tools = [
  {
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
  { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];
const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: "system", content: "Answer with tools." },
  {
    role: "user",
    content: [
      { type: "text", text: "Weather and time where this photo was taken?" },
      {
        type: "image_url",
        image_url: {
          url: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        },
      },
    ],
  },
];

async function storedRow(requestId: string) {
  await writer.flush({ timeoutMs: 5_000 });
  const row = await getRequest({ pool }, { projectId, id: requestId });
  // What tRPC and REST send is this schema's output: nothing may be stripped or refused.
  expect(requestEntryOut.parse(row)).toEqual(row);
  return row;
}

const requestIdOf = (value: unknown) => (value as { switchyard: { requestId: string } }).switchyard.requestId;

describe("a tool-calling answer in the request log", () => {
  it("non-streamed: tool names, finish reason, usage details, modalities, calls and the cached price", async () => {
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-tools",
        object: "chat.completion",
        created: 1,
        model: "gpt-x",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
                { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
                { id: "call_3", type: "function", function: { name: "get_time", arguments: "{}" } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage,
      });
    const completion = await client.chat.completions.create({ model: "cached-gpt", messages, tools });
    expect(completion.choices[0].message.tool_calls).toHaveLength(3);
    const row = await storedRow(requestIdOf(completion));
    expect(row).toMatchObject({
      status: 200,
      stream: false,
      finishReason: "tool_calls",
      toolNames: ["get_weather", "get_time"],
      tokensIn: 1200,
      tokensOut: 300,
      cachedTokens: 1024,
      cacheWriteTokens: null,
      reasoningTokens: 256,
      modalities: ["text", "image", "tools"],
    });
    expect(row.costUsd).toBe(COST);
    expect(row.costUsd).toBe(0.003264);
    expect(row.responseBody).toEqual({
      text: "",
      finishReason: "tool_calls",
      toolCalls: [
        { id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' },
        { id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' },
        { id: "call_3", name: "get_time", arguments: "{}" },
      ],
    });
  });

  it("streamed: tool-call deltas split across chunks and mid-JSON are reassembled and named", async () => {
    const chunk = (delta: object, finish: string | null = null) => ({
      id: "chatcmpl-s",
      object: "chat.completion.chunk",
      created: 1,
      model: "gpt-x",
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const call = (index: number, fn: object, id?: string) => ({
      tool_calls: [{ index, ...(id ? { id, type: "function" } : {}), function: fn }],
    });
    const chunks = [
      chunk({ role: "assistant", content: null, ...call(0, { name: "get_weather", arguments: "" }, "call_a") }),
      chunk(call(0, { arguments: '{"ci' })),
      chunk(call(0, { arguments: 'ty": "Os' })),
      chunk(call(1, { name: "get_time", arguments: '{"tz' }, "call_b")),
      chunk(call(0, { arguments: 'lo"}' })),
      chunk(call(1, { arguments: '":"UTC"}' })),
      chunk({}, "tool_calls"),
      { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model: "gpt-x", choices: [], usage },
    ];
    const body = sse([...chunks.map((data) => ({ data })), { data: "[DONE]" }]);
    // Cut the bytes inside the argument fragments too.
    respond = (_req, res) =>
      void writeInPieces(res, body, [
        byteOffset(body, '{\\"ci') + 3,
        byteOffset(body, "Os") + 1,
        byteOffset(body, "UTC"),
      ]);
    const stream = await client.chat.completions.create({
      model: "cached-gpt",
      messages,
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    let requestId = "";
    const args = ["", ""];
    for await (const part of stream) {
      requestId ||= requestIdOf(part);
      for (const delta of part.choices[0]?.delta.tool_calls ?? []) args[delta.index] += delta.function?.arguments ?? "";
    }
    expect(args).toEqual(['{"city": "Oslo"}', '{"tz":"UTC"}']);
    const row = await storedRow(requestId);
    expect(row).toMatchObject({
      status: 200,
      stream: true,
      finishReason: "tool_calls",
      toolNames: ["get_weather", "get_time"],
      cachedTokens: 1024,
      reasoningTokens: 256,
      modalities: ["text", "image", "tools"],
    });
    expect(row.costUsd).toBe(COST);
    expect(row.responseBody).toEqual({
      text: "",
      finishReason: "tool_calls",
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: '{"city": "Oslo"}' },
        { id: "call_b", name: "get_time", arguments: '{"tz":"UTC"}' },
      ],
    });
  });

  it("a plain text answer logs no tool names, the input price for every token, and text only", async () => {
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-text",
        object: "chat.completion",
        created: 1,
        model: "gpt-x",
        choices: [{ index: 0, message: { role: "assistant", content: "Sunny." }, finish_reason: "stop" }],
        usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      });
    const completion = await client.chat.completions.create({
      model: "cached-gpt",
      messages: [{ role: "user", content: "Weather?" }],
    });
    const row = await storedRow(requestIdOf(completion));
    expect(row).toMatchObject({
      finishReason: "stop",
      toolNames: null,
      cachedTokens: null,
      reasoningTokens: null,
      modalities: ["text"],
      responseBody: { text: "Sunny.", finishReason: "stop" },
    });
    expect(row.costUsd).toBe((10 * 2 + 2 * 8) / 1_000_000);
  });

  it("the explorer's list carries the new fields", async () => {
    await writer.flush({ timeoutMs: 5_000 });
    const page = await searchRequests(
      { pool },
      { projectId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) },
    );
    expect(requestPageOut.parse(page)).toEqual(page);
    expect(page.items.map((r) => r.toolNames)).toEqual([
      null,
      ["get_weather", "get_time"],
      ["get_weather", "get_time"],
    ]);
  });
});
