/**
 * `/v1/responses` driven by the unmodified official `openai` SDK: the Responses API bridged onto the chat pipeline,
 * toward a fake upstream speaking Chat Completions' wire format (tool-call fragments cut mid-JSON included) and
 * toward the local ONNX demo model; stored responses in Postgres for `previous_response_id`, retrieval and
 * `input_items`, under the request log's retention.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { zodTextFormat } from "openai/helpers/zod";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "@/server/db";
import {
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { maintainPartitions } from "@/server/modules/request-log/maintenance";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { openAIStream, reply, replyHead } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-responses-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let dbUrl: string;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let otherClient: OpenAI;
const sink = new MemorySink();
let respond: FakeHandler;
withTestDatabase((created, url) => {
  db = created;
  dbUrl = url;
});

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  const other = await makeProject(db, "Other");
  const otherKey = (await makeApiKey(db, other.project.id, ["gateway:invoke"])).key;
  otherClient = new OpenAI({ apiKey: otherKey, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
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
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error("expected the gateway to refuse");
};

const weatherTool = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather in a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
  strict: true,
};

/** An upstream answering one tool call, its arguments cut into fragments (streamed) or whole. */
const toolCallAnswer: FakeHandler = (req, res) => {
  const stream = (req.body as { stream?: boolean }).stream === true;
  if (!stream)
    return sendJson(res, 200, {
      id: "chatcmpl-t",
      object: "chat.completion",
      model: "fake-model",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_w1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 },
    });
  const base = { id: "chatcmpl-t", object: "chat.completion.chunk", model: "fake-model" };
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    Object.assign({}, base, { choices: [{ index: 0, delta: d, finish_reason: finish }] });
  return openAIStream(res, [
    delta({
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id: "call_w1", type: "function", function: { name: "get_weather", arguments: "" } }],
    }),
    delta({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
    delta({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }),
    delta({}, "tool_calls"),
    Object.assign({}, base, { choices: [], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } }),
  ]);
};

describe("responses.create", () => {
  it("answers a non-streamed request with output_text, usage and what served it", async () => {
    respond = (req, res) => reply(req, res, ["Hello, ", "world"]);
    const response = await client.responses.create({
      model: "fake-gpt",
      instructions: "Be brief",
      input: "Say hello",
      max_output_tokens: 40,
      metadata: { ticket: "T-1" },
    });
    expect(response.output_text).toBe("Hello, world");
    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: "fake-gpt@1",
      instructions: "Be brief",
      metadata: { ticket: "T-1" },
      store: true,
      usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18, input_tokens_details: { cached_tokens: 0 } },
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(lastBody()).toMatchObject({
      model: "fake-model",
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Say hello" },
      ],
      max_completion_tokens: 40,
    });
    // Responses' own fields do not leak into Chat Completions (its `store` would store on the upstream).
    expect(lastBody()).not.toHaveProperty("store");
    expect(lastBody()).not.toHaveProperty("metadata");
    const requestId = (response as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
    const log = await sink.waitFor((e) => e.id === requestId);
    expect(log).toMatchObject({ status: 200, path: "/v1/responses", requestedModel: "fake-gpt", tokensIn: 11 });
    expect(sink.byId(requestId)).toHaveLength(1);
  });

  it("streams the typed events in order with sequence numbers, and responses.stream() gives the final response", async () => {
    respond = (req, res) => reply(req, res, ["Hel", "lo ", "there"]);
    const stream = await client.responses.create({ model: "fake-gpt", input: "Hi", stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const completed = events.at(-1);
    if (completed?.type !== "response.completed") throw new Error("no response.completed");
    expect(completed.response.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    // Stored before the stream ended: retrievable at once.
    const stored = await client.responses.retrieve(completed.response.id);
    expect(stored.output_text).toBe("Hello there");

    const helper = client.responses.stream({ model: "fake-gpt", input: "Hi again" });
    const deltas: string[] = [];
    helper.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await helper.finalResponse();
    // The helper's final response is the `response.completed` object as sent (the SDK adds `output_text` only to
    // what `create`/`retrieve`/`parse` return).
    expect(final.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text: "Hello there" }] });
    expect(final.status).toBe("completed");
    expect(deltas).toEqual(["Hel", "lo ", "there"]);
  });

  it("ends a stream whose upstream breaks off with an error event the SDK throws, and stores nothing", async () => {
    respond = (req, res) => {
      replyHead(req, res, "Partial");
      setTimeout(() => res.destroy(), 20);
    };
    const before = await db.gatewayResponse.count();
    const stream = await client.responses.create({ model: "fake-gpt", input: "Hi", stream: true });
    const types: string[] = [];
    const error = await refusal(
      (async () => {
        for await (const event of stream) types.push(event.type);
      })(),
    );
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
    ]);
    expect(error.message).toMatch(/upstream|connection|terminated|closed/i);
    expect(await db.gatewayResponse.count()).toBe(before);
  });

  it("refuses a built-in tool with a 400 naming it", async () => {
    const error = await refusal(
      client.responses.create({ model: "fake-gpt", input: "Search", tools: [{ type: "web_search" }] }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe("tools.0.type");
    expect(error.message).toContain("web_search");
  });
});

describe("function tools", () => {
  it("round-trips a call: function_call out, function_call_output back in with previous_response_id", async () => {
    respond = toolCallAnswer;
    const stream = client.responses.stream({ model: "fake-gpt", input: "Weather in Oslo?", tools: [weatherTool] });
    const fragments: string[] = [];
    stream.on("response.function_call_arguments.delta", (e) => fragments.push(e.delta));
    const first = await stream.finalResponse();
    expect(fragments).toEqual(['{"ci', 'ty":"Oslo"}']);
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ call_id: "call_w1", name: "get_weather", arguments: '{"city":"Oslo"}' });
    expect(call?.id).toMatch(/^fc_/);
    expect(lastBody()).toMatchObject({
      tools: [{ type: "function", function: { name: "get_weather", strict: true } }],
    });

    respond = (req, res) => reply(req, res, ["It is 3C in Oslo."]);
    const second = await client.responses.create({
      model: "fake-gpt",
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: "call_w1", output: '{"celsius":3}' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe("It is 3C in Oslo.");
    expect(lastBody().messages).toEqual([
      { role: "user", content: "Weather in Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_w1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_w1", content: '{"celsius":3}' },
    ]);
  });
});

describe("text.format", () => {
  it("sends json_schema as response_format, and responses.parse reads output_parsed with zodTextFormat", async () => {
    respond = (req, res) => reply(req, res, ['{"city":"Oslo",', '"celsius":3}']);
    const format = zodTextFormat(z.object({ city: z.string(), celsius: z.number() }), "weather");
    const parsed = await client.responses.parse({ model: "fake-gpt", input: "Weather?", text: { format } });
    expect(parsed.output_parsed).toEqual({ city: "Oslo", celsius: 3 });
    expect(lastBody().response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "weather", strict: true, schema: { type: "object" } },
    });
    expect(parsed.text?.format).toMatchObject({ type: "json_schema", name: "weather" });
  });
});

describe("stored responses", () => {
  it("continues a conversation with previous_response_id: the upstream gets all of it, not the old instructions", async () => {
    respond = (req, res) => reply(req, res, ["Nice to meet you, Ada."]);
    const first = await client.responses.create({
      model: "fake-gpt",
      instructions: "Old rules",
      input: "I am Ada.",
    });
    respond = (req, res) => reply(req, res, ["You are Ada."]);
    const second = await client.responses.create({
      model: "fake-gpt",
      instructions: "New rules",
      previous_response_id: first.id,
      input: [{ role: "user", content: "Who am I?" }],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(lastBody().messages).toEqual([
      { role: "system", content: "New rules" },
      { role: "user", content: "I am Ada." },
      { role: "assistant", content: "Nice to meet you, Ada." },
      { role: "user", content: "Who am I?" },
    ]);

    // input_items: the chain's items too, newest first by default.
    const page = await client.responses.inputItems.list(second.id);
    const items = page.data as unknown as { type: string; role?: string; id: string }[];
    expect(items.map((i) => [i.type, i.role])).toEqual([
      ["message", "user"],
      ["message", "assistant"],
      ["message", "user"],
    ]);
    const asc = await client.responses.inputItems.list(second.id, { order: "asc", limit: 1 });
    expect(asc.data).toHaveLength(1);
    expect(asc.has_more).toBe(true);
    expect((asc.data[0] as { content: unknown }).content).toEqual([{ type: "input_text", text: "I am Ada." }]);
  });

  it("retrieves and deletes a stored response; another project cannot see it", async () => {
    respond = (req, res) => reply(req, res, ["Stored."]);
    const created = await client.responses.create({ model: "fake-gpt", input: "Store this" });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: "completed", output_text: "Stored." });

    const foreign = await refusal(otherClient.responses.retrieve(created.id));
    expect(foreign.status).toBe(404);
    expect((await refusal(otherClient.responses.delete(created.id))).status).toBe(404);
    expect((await refusal(otherClient.responses.inputItems.list(created.id))).status).toBe(404);
    const chained = await refusal(
      otherClient.responses.create({ model: "fake-gpt", input: "x", previous_response_id: created.id }),
    );
    expect(chained.status).toBe(400);
    expect(chained.param).toBe("previous_response_id");

    await client.responses.delete(created.id);
    expect((await refusal(client.responses.retrieve(created.id))).status).toBe(404);
  });

  it("does not keep a response sent with store: false", async () => {
    respond = (req, res) => reply(req, res, ["Ephemeral."]);
    const created = await client.responses.create({ model: "fake-gpt", input: "Forget this", store: false });
    expect(created).toMatchObject({ store: false, output_text: "Ephemeral." });
    expect((await refusal(client.responses.retrieve(created.id))).status).toBe(404);
    expect(await db.gatewayResponse.count({ where: { id: created.id } })).toBe(0);
  });

  it("keeps responses as long as the request log's retention; expired ones are not found and get purged", async () => {
    respond = (req, res) => reply(req, res, ["Old."]);
    const created = await client.responses.create({ model: "fake-gpt", input: "Keep?" });
    const row = await db.gatewayResponse.findUniqueOrThrow({ where: { id: created.id } });
    const days = (row.expiresAt.getTime() - row.createdAt.getTime()) / 86_400_000;
    const settings = await db.requestLogSettings.findUniqueOrThrow({ where: { id: 1 } });
    expect(Math.round(days)).toBe(settings.retentionDays);

    await db.gatewayResponse.update({ where: { id: created.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await refusal(client.responses.retrieve(created.id))).status).toBe(404);
    const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    try {
      await maintainPartitions({ pool });
    } finally {
      await pool.end();
    }
    expect(await db.gatewayResponse.count({ where: { id: created.id } })).toBe(0);
  });
});

describe("the local ONNX model", () => {
  it("answers text, streamed and not", async () => {
    const whole = await client.responses.create({ model: "switchyard-demo", input: "Hello", max_output_tokens: 8 });
    expect(whole.model).toBe("switchyard-demo@1");
    expect(typeof whole.output_text).toBe("string");
    expect(whole.usage?.output_tokens).toBeGreaterThan(0);
    expect(["completed", "incomplete"]).toContain(whole.status);

    const stream = await client.responses.create({
      model: "switchyard-demo",
      input: "Hello",
      max_output_tokens: 8,
      stream: true,
    });
    let text = "";
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      last = event;
    }
    // Eight tokens may cut the demo model's answer: then the stream ends with response.incomplete.
    if (last?.type !== "response.completed" && last?.type !== "response.incomplete")
      throw new Error(`ended with ${last?.type}`);
    expect(last.response.usage?.output_tokens).toBeGreaterThan(0);
    expect(last.response.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text }] });
  });

  it("serves a json_schema format by constrained decoding (the demo model alone would not write JSON)", async () => {
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" }, mood: { enum: ["calm", "busy"] } },
      required: ["ok", "mood"],
      additionalProperties: false,
    };
    const response = await client.responses.create({
      model: "switchyard-demo",
      input: "x",
      text: { format: { type: "json_schema", name: "a", schema, strict: true } },
    });
    const value = JSON.parse(response.output_text);
    expect(typeof value.ok).toBe("boolean");
    expect(["calm", "busy"]).toContain(value.mood);
  });
});
