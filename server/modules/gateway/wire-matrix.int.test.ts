/**
 * Every client format against every upstream format: the unmodified `openai` SDK (Chat Completions and the
 * Responses API) and `@anthropic-ai/sdk` (Messages) drive the gateway, whose models are served by a fake
 * OpenAI-compatible upstream, a fake Anthropic upstream (each speaking its real wire format, tool-call arguments
 * split mid-JSON across TCP writes) and the local ONNX demo model. Text and a tool call, streamed and not, come
 * back intact whichever pair it is; a local model refuses tools by name.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  byteOffset,
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  sse,
  startFakeUpstream,
  writeInPieces,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-wire-matrix-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

const REPLY = "Sunny in Paris.";
const ARGS = '{"city":"Paris","unit":"c"}';
/** Where the fakes cut the tool call's arguments: inside a key and inside a value. */
const CUTS = ['ty":"Pa', 'ris","un'];

let db: Db;
let openaiUp: FakeUpstream;
let anthropicUp: FakeUpstream;
let gateway: StandaloneGateway;
let openai: OpenAI;
let anthropic: Anthropic;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const wantsTools = (req: ReceivedRequest) => Array.isArray((req.body as { tools?: unknown }).tools);
const streams = (req: ReceivedRequest) => (req.body as { stream?: unknown }).stream === true;
/** The cut points inside the SSE text, where the arguments sit JSON-escaped inside a string. */
const cutsIn = (text: string) => CUTS.map((c) => byteOffset(text, JSON.stringify(c).slice(1, -1)) + 3);

/** OpenAI's Chat Completions wire format: text, or one get_weather call. */
async function answerAsOpenAI(req: ReceivedRequest, res: import("node:http").ServerResponse) {
  const tools = wantsTools(req);
  const base = { id: "chatcmpl-m", model: "fake-model", created: 1_700_000_000 };
  const usage = { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 };
  if (!streams(req)) {
    const message = tools
      ? {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: ARGS } }],
        }
      : { role: "assistant", content: REPLY };
    return sendJson(res, 200, {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, finish_reason: tools ? "tool_calls" : "stop" }],
      usage,
    });
  }
  const chunk = (delta: object, finish: string | null = null) => ({
    data: { ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  const events = tools
    ? [
        chunk({ role: "assistant", content: null }),
        chunk({
          tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: ARGS } }] }),
        chunk({}, "tool_calls"),
      ]
    : [
        chunk({ role: "assistant", content: "" }),
        chunk({ content: "Sunny " }),
        chunk({ content: "in Paris." }),
        chunk({}, "stop"),
      ];
  const text = sse([
    ...events,
    { data: { ...base, object: "chat.completion.chunk", choices: [], usage } },
    { data: "[DONE]" },
  ]);
  await writeInPieces(res, text, tools ? cutsIn(text) : []);
}

/** Anthropic's Messages wire format: text, or one get_weather tool_use. */
async function answerAsAnthropic(req: ReceivedRequest, res: import("node:http").ServerResponse) {
  const tools = wantsTools(req);
  const usage = { input_tokens: 20, output_tokens: 9 };
  if (!streams(req))
    return sendJson(res, 200, {
      id: "msg_m",
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: tools
        ? [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: JSON.parse(ARGS) }]
        : [{ type: "text", text: REPLY }],
      stop_reason: tools ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage,
    });
  const event = (type: string, data: object) => ({ event: type, data: { type, ...data } });
  const block = tools
    ? [
        event("content_block_start", {
          index: 0,
          content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
        }),
        event("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "" } }),
        event("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: ARGS } }),
      ]
    : [
        event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Sunny " } }),
        event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "in Paris." } }),
      ];
  const text = sse([
    event("message_start", {
      message: {
        id: "msg_m",
        type: "message",
        role: "assistant",
        model: "claude-x",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 1 },
      },
    }),
    event("ping", {}),
    ...block,
    event("content_block_stop", { index: 0 }),
    event("message_delta", {
      delta: { stop_reason: tools ? "tool_use" : "end_turn", stop_sequence: null },
      usage: { output_tokens: 9 },
    }),
    event("message_stop", {}),
  ]);
  await writeInPieces(res, text, tools ? cutsIn(text) : []);
}

beforeAll(async () => {
  openaiUp = await startFakeUpstream(answerAsOpenAI);
  anthropicUp = await startFakeUpstream(answerAsAnthropic);
  const fixture = await gatewayFixture(db, openaiUp.origin);
  const claude = await fixture.caller.models.create({ name: "fake-claude", provider: "anthropic", task: "chat" });
  await fixture.caller.models.createVersion({
    modelId: claude.id,
    endpointBaseUrl: anthropicUp.origin,
    upstreamModelId: "claude-x",
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  openai = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: fixture.key, baseURL: gateway.origin, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await openaiUp?.close();
  await anthropicUp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const weather = {
  name: "get_weather",
  description: "Weather in a city",
  parameters: {
    type: "object" as const,
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
    required: ["city", "unit"],
  },
};
const QUESTION = "What's the weather in Paris?";

/** What a client got back: the text, or the one tool call's name and parsed arguments. */
type Answer = { text: string } | { tool: string; args: unknown };

const clients: Record<string, (model: string, tools: boolean, stream: boolean) => Promise<Answer>> = {
  async "openai chat.completions"(model, tools, stream) {
    const body = {
      model,
      messages: [{ role: "user" as const, content: QUESTION }],
      ...(tools ? { tools: [{ type: "function" as const, function: weather }] } : {}),
    };
    const message = stream
      ? (await openai.chat.completions.stream({ ...body, stream: true }).finalChatCompletion()).choices[0].message
      : (await openai.chat.completions.create(body)).choices[0].message;
    const call = message.tool_calls?.[0];
    if (call?.type === "function") return { tool: call.function.name, args: JSON.parse(call.function.arguments) };
    return { text: message.content ?? "" };
  },
  async "anthropic messages"(model, tools, stream) {
    const body = {
      model,
      max_tokens: 256,
      messages: [{ role: "user" as const, content: QUESTION }],
      ...(tools
        ? { tools: [{ name: weather.name, description: weather.description, input_schema: weather.parameters }] }
        : {}),
    };
    const message = stream
      ? await anthropic.messages.stream(body).finalMessage()
      : await anthropic.messages.create(body);
    const use = message.content.find((b) => b.type === "tool_use");
    if (use?.type === "tool_use") return { tool: use.name, args: use.input };
    return { text: message.content.map((b) => (b.type === "text" ? b.text : "")).join("") };
  },
  async "openai responses"(model, tools, stream) {
    const body = {
      model,
      input: QUESTION,
      ...(tools ? { tools: [{ type: "function" as const, strict: false, ...weather }] } : {}),
    };
    const response = stream ? await openai.responses.stream(body).finalResponse() : await openai.responses.create(body);
    const call = response.output.find((item) => item.type === "function_call");
    if (call?.type === "function_call") return { tool: call.name, args: JSON.parse(call.arguments) };
    // The stream helper's final response has no `output_text` (the SDK adds it to create's answer only).
    const text = response.output
      .flatMap((item) => (item.type === "message" ? item.content : []))
      .map((part) => (part.type === "output_text" ? part.text : ""))
      .join("");
    return { text };
  },
};

const upstreams = { "an OpenAI-compatible upstream": "fake-gpt", "an Anthropic upstream": "fake-claude" };

for (const [client, ask] of Object.entries(clients))
  describe(`${client} →`, () => {
    for (const [upstream, model] of Object.entries(upstreams))
      for (const stream of [false, true]) {
        const how = stream ? "streamed" : "not streamed";
        it(`${upstream}: text, ${how}`, async () => {
          expect(await ask(model, false, stream)).toEqual({ text: REPLY });
        });
        it(`${upstream}: a tool call, ${how}`, async () => {
          expect(await ask(model, true, stream)).toEqual({ tool: "get_weather", args: { city: "Paris", unit: "c" } });
        });
      }

    it("the local model: text, streamed and not", async () => {
      for (const stream of [false, true]) {
        const answer = await ask("switchyard-demo", false, stream);
        expect("text" in answer && answer.text.length).toBeGreaterThan(0);
      }
    });
    it("the local model: tools are refused with a 400 naming the field", async () => {
      const error = await ask("switchyard-demo", true, false).then(
        () => null,
        (e: unknown) => e as { status?: number; message?: string },
      );
      expect(error?.status).toBe(400);
      expect(error?.message).toMatch(/tools/);
    });
  });
