/**
 * Chat Completions toward an OpenAI-compatible upstream are a pass-through: driven by the unmodified official
 * `openai` SDK against a fake upstream speaking OpenAI's wire format, every field the gateway does not act on
 * (tools, response_format, n, logprobs, content parts...) reaches the upstream as the client sent it, and the
 * upstream's answer (tool calls, every choice, logprobs, usage details) reaches the client as it came. Models
 * that cannot honour such a field refuse it by name.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "@/server/db";
import {
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { staticRoutes } from "@/server/modules/routes/source";
import { withTestDatabase } from "@/server/testing/db";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { openAIStream } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-passthrough-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let caller: Awaited<ReturnType<typeof gatewayFixture>>["caller"];
const sink = new MemorySink();
let respond: FakeHandler;
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  caller = fixture.caller;
  const anthropic = await fixture.caller.models.create({ name: "fake-claude", provider: "anthropic", task: "chat" });
  await fixture.caller.models.createVersion({
    modelId: anthropic.id,
    endpointBaseUrl: fake.origin,
    upstreamModelId: "claude-x",
  });
  // Masks e-mail addresses in what the caller sends and in the answer's text.
  const routes = staticRoutes({
    "guarded-bot": {
      deployments: [{ model: "fake-gpt" }],
      pipeline: { input: { pii: { action: "mask" } }, output: { pii: { action: "mask" } } },
    },
  });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null, routes });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
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
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};
const switchyardOf = (value: unknown) => (value as { switchyard: { requestId: string } }).switchyard;

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
    strict: true,
  },
};

const usageWithDetails = {
  prompt_tokens: 31,
  completion_tokens: 18,
  total_tokens: 49,
  prompt_tokens_details: { cached_tokens: 16, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 5,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

const logprobs = (token: string) => ({
  content: [
    { token, logprob: -0.25, bytes: [...Buffer.from(token)], top_logprobs: [{ token, logprob: -0.25, bytes: null }] },
  ],
  refusal: null,
});

describe("a non-streamed request", () => {
  it("reaches the upstream as the client sent it, and every choice comes back as the upstream answered", async () => {
    const upstreamAnswer = {
      id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
      object: "chat.completion",
      created: 1_741_570_283,
      model: "gpt-4o-2024-08-06",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_Dn2RJJSxzDm49vlVTehseJ0k",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
              },
              {
                id: "call_7e1Lb6XtKUnAXS7hEhOQMt3b",
                type: "function",
                function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"c"}' },
              },
            ],
            refusal: null,
            annotations: [],
          },
          logprobs: logprobs("call"),
          finish_reason: "tool_calls",
        },
        {
          index: 1,
          message: { role: "assistant", content: "Let me check.", refusal: null, annotations: [] },
          logprobs: logprobs("Let"),
          finish_reason: "stop",
        },
      ],
      usage: usageWithDetails,
      service_tier: "default",
      system_fingerprint: "fp_f9f4fb6dbf",
    };
    respond = (_req, res) => sendJson(res, 200, upstreamAnswer);
    const params = {
      model: "fake-gpt",
      messages: [
        { role: "developer" as const, content: "Use the tools." },
        { role: "user" as const, content: "Weather in Paris and Oslo?", name: "ana" },
        {
          role: "assistant" as const,
          content: null,
          tool_calls: [
            {
              id: "call_earlier",
              type: "function" as const,
              function: { name: "get_weather", arguments: '{"city":"Rome","unit":"c"}' },
            },
          ],
        },
        { role: "tool" as const, tool_call_id: "call_earlier", content: '{"temp":21}' },
      ],
      tools: [weatherTool],
      tool_choice: "auto" as const,
      parallel_tool_calls: true,
      n: 2,
      logprobs: true,
      top_logprobs: 1,
      logit_bias: { "50256": -100 },
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      seed: 42,
      metadata: { ticket: "T-1" },
      reasoning_effort: "low" as const,
      max_completion_tokens: 300,
      service_tier: "auto" as const,
      prediction: { type: "content" as const, content: "It is sunny" },
      response_format: { type: "text" as const },
      user: "u-7",
    };
    const unknownFields = { some_future_field: { nested: [1, "two"] } };
    const { data, response } = await client.chat.completions
      .create(Object.assign({}, params, unknownFields) as typeof params)
      .withResponse();

    // Untouched but for the upstream's model name.
    expect(lastBody()).toEqual(Object.assign({}, params, unknownFields, { model: "fake-model" }));
    const requestId = response.headers.get("x-request-id");
    expect(data).toEqual(
      Object.assign({}, upstreamAnswer, {
        model: "fake-gpt@1",
        switchyard: expect.objectContaining({
          model: "fake-gpt",
          modelVersion: "fake-gpt@1",
          promptVersion: null,
          requestId,
        }),
      }),
    );
    expect(data.choices[0].message.tool_calls![1]).toMatchObject({ id: "call_7e1Lb6XtKUnAXS7hEhOQMt3b" });
    const log = await logOf(requestId);
    expect(log).toMatchObject({ status: 200, tokensIn: 31, tokensOut: 18, userId: "u-7", errorCode: null });
  });

  it("forwards image_url parts (a URL and a data URL), input_audio and file parts untouched", async () => {
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-img",
        object: "chat.completion",
        created: 1_741_570_283,
        model: "gpt-4o",
        choices: [
          { index: 0, message: { role: "assistant", content: "A cat." }, logprobs: null, finish_reason: "stop" },
        ],
        usage: { prompt_tokens: 900, completion_tokens: 3, total_tokens: 903 },
      });
    const dataUrl = `data:image/png;base64,${Buffer.from("\x89PNG fake image bytes").toString("base64")}`;
    const messages = [
      {
        role: "user" as const,
        content: [
          { type: "text" as const, text: "What is in these?" },
          { type: "image_url" as const, image_url: { url: "https://example.com/cat.jpg", detail: "high" as const } },
          { type: "image_url" as const, image_url: { url: dataUrl } },
          { type: "input_audio" as const, input_audio: { data: "UklGRg==", format: "wav" as const } },
          { type: "file" as const, file: { file_id: "file-abc123" } },
        ],
      },
    ];
    const completion = await client.chat.completions.create({ model: "fake-gpt", messages });
    expect(completion.choices[0].message.content).toBe("A cat.");
    // The version's default max tokens (the fixture's) is the one field the gateway adds.
    expect(lastBody()).toEqual({ model: "fake-model", messages, max_tokens: 64 });
  });

  it("parses a zod response_format with the SDK's parse helper; the json_schema reaches the upstream strict", async () => {
    const Weather = z.object({ city: z.string(), celsius: z.number() });
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-json",
        object: "chat.completion",
        created: 1_741_570_283,
        model: "gpt-4o",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: '{"city":"Paris","celsius":21.5}', refusal: null },
            logprobs: null,
            finish_reason: "stop",
          },
        ],
        usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
      });
    const completion = await client.chat.completions.parse({
      model: "fake-gpt",
      messages: [{ role: "user", content: "Weather in Paris as JSON" }],
      response_format: zodResponseFormat(Weather, "weather"),
    });
    expect(completion.choices[0].message.parsed).toEqual({ city: "Paris", celsius: 21.5 });
    expect(lastBody().response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "weather", strict: true, schema: { type: "object", required: ["city", "celsius"] } },
    });
  });

  it("keys the response cache on every field that changes the answer (tools, response_format...)", async () => {
    let calls = 0;
    respond = (_req, res) => {
      calls++;
      sendJson(res, 200, {
        id: `chatcmpl-${calls}`,
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [{ index: 0, message: { role: "assistant", content: `answer ${calls}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    };
    const base = { model: "fake-gpt", messages: [{ role: "user" as const, content: "cache me" }], temperature: 0 };
    const ask = async (extra: Record<string, unknown>) => {
      const { data, response } = await client.chat.completions.create(Object.assign({}, base, extra)).withResponse();
      return { text: data.choices[0].message.content, cache: response.headers.get("x-switchyard-cache") };
    };
    expect(await ask({})).toEqual({ text: "answer 1", cache: "miss" });
    expect(await ask({})).toEqual({ text: "answer 1", cache: "hit" });
    expect(await ask({ tools: [weatherTool] })).toEqual({ text: "answer 2", cache: "miss" });
    expect(await ask({ response_format: { type: "json_object" } })).toEqual({ text: "answer 3", cache: "miss" });
    expect(await ask({ tools: [weatherTool] })).toEqual({ text: "answer 2", cache: "hit" });
    expect(calls).toBe(3);

    // A cached tool-calling answer logs, on the hit, the tools it called and how it finished.
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-tools",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    const toolAsk = () =>
      client.chat.completions
        .create(Object.assign({}, base, { tools: [weatherTool], tool_choice: "required" as const }))
        .withResponse();
    await toolAsk();
    const hit = await toolAsk();
    expect(hit.response.headers.get("x-switchyard-cache")).toBe("hit");
    const row = await logOf(hit.response.headers.get("x-request-id"));
    expect(row).toMatchObject({ cacheHit: true, toolNames: ["get_weather"], finishReason: "tool_calls" });
  });
});

/** OpenAI's chunks for two parallel tool calls on choice 0 and text on choice 1, arguments split mid-JSON. */
function toolCallChunks(withUsage: boolean) {
  const head = { id: "chatcmpl-stream", object: "chat.completion.chunk", created: 1_741_570_283, model: "gpt-4o" };
  const extra = withUsage ? { service_tier: "default", system_fingerprint: "fp_1", usage: null } : {};
  const c = (choices: unknown[]) => Object.assign({}, head, extra, { choices });
  const call = (index: number, fn: Record<string, string>, id?: string) => ({
    index,
    ...(id ? { id, type: "function" } : {}),
    function: fn,
  });
  const chunks: unknown[] = [
    c([
      {
        index: 0,
        delta: {
          role: "assistant",
          content: null,
          tool_calls: [call(0, { name: "get_weather", arguments: "" }, "call_A")],
        },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    c([{ index: 1, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]),
    c([{ index: 0, delta: { tool_calls: [call(0, { arguments: '{"ci' })] }, logprobs: null, finish_reason: null }]),
    c([{ index: 1, delta: { content: "Checking " }, logprobs: logprobs("Checking "), finish_reason: null }]),
    c([
      { index: 0, delta: { tool_calls: [call(0, { arguments: 'ty": "Par' })] }, logprobs: null, finish_reason: null },
    ]),
    c([
      {
        index: 0,
        delta: { tool_calls: [call(0, { arguments: 'is", "unit":"c"}' })] },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    c([
      {
        index: 0,
        delta: { tool_calls: [call(1, { name: "get_weather", arguments: "" }, "call_B")] },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    c([
      { index: 0, delta: { tool_calls: [call(1, { arguments: '{"city":"Os' })] }, logprobs: null, finish_reason: null },
    ]),
    c([{ index: 1, delta: { content: "the weather." }, logprobs: logprobs("the weather."), finish_reason: null }]),
    c([
      {
        index: 0,
        delta: { tool_calls: [call(1, { arguments: 'lo","unit":"f"}' })] },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    c([{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }]),
    c([{ index: 1, delta: {}, logprobs: null, finish_reason: "stop" }]),
  ];
  if (withUsage) chunks.push(Object.assign({}, head, extra, { choices: [], usage: usageWithDetails }));
  return chunks;
}

describe("a streamed request", () => {
  it("keeps tool-call deltas, choice indexes, logprobs and the usage details as the upstream sent them", async () => {
    let sent: unknown[] = [];
    respond = (_req, res) => {
      sent = toolCallChunks(true);
      return openAIStream(res, sent);
    };
    const params = {
      model: "fake-gpt",
      messages: [{ role: "user" as const, content: "Weather in Paris and Oslo?" }],
      tools: [weatherTool],
      tool_choice: "required" as const,
      n: 2,
      logprobs: true,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const stream = client.chat.completions.stream(params);
    const received: Record<string, unknown>[] = [];
    for await (const chunk of stream) received.push(JSON.parse(JSON.stringify(chunk)));
    const final = await stream.finalChatCompletion();

    expect(lastBody()).toEqual(Object.assign({}, params, { model: "fake-model", max_tokens: 64 }));
    // Chunk for chunk as sent, with our model name; the first also says what served it.
    const requestId = switchyardOf(received[0]).requestId;
    expect(received).toEqual(
      sent.map((chunk, i) =>
        Object.assign(
          {},
          chunk,
          { model: "fake-gpt@1" },
          i === 0 ? { switchyard: expect.objectContaining({ modelVersion: "fake-gpt@1" }) } : {},
        ),
      ),
    );
    // Reassembled by the SDK (which adds `parsed_arguments` for strict tools).
    expect(final.choices[0].message.tool_calls).toMatchObject([
      { id: "call_A", type: "function", function: { name: "get_weather", arguments: '{"city": "Paris", "unit":"c"}' } },
      { id: "call_B", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"f"}' } },
    ]);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.choices[1]).toMatchObject({
      index: 1,
      message: { content: "Checking the weather." },
      finish_reason: "stop",
    });
    expect(final.choices[1].logprobs!.content!.map((l) => l.token)).toEqual(["Checking ", "the weather."]);
    expect(final.usage).toEqual(usageWithDetails);
    const log = await logOf(requestId);
    expect(log).toMatchObject({ status: 200, stream: true, tokensIn: 31, tokensOut: 18 });
    expect(log.ttftMs).toBeGreaterThan(0);
  });

  it("asks the upstream for usage the client did not ask for, and keeps the usage chunk to itself", async () => {
    respond = (_req, res) => openAIStream(res, toolCallChunks(true), 11);
    const stream = await client.chat.completions.create({
      model: "fake-gpt",
      messages: [{ role: "user", content: "Weather?" }],
      tools: [weatherTool],
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    const log = await logOf(switchyardOf(chunks[0]).requestId);
    expect(log).toMatchObject({ status: 200, tokensIn: 31, tokensOut: 18 });
  });

  it("runs tools with the SDK's runTools helper: the tool call and its result go back to the upstream untouched", async () => {
    respond = (req, res) => {
      const body = req.body as { messages: { role: string }[] };
      const head = { id: "chatcmpl-run", object: "chat.completion.chunk", created: 1_741_570_283, model: "gpt-4o" };
      const c = (delta: Record<string, unknown>, finish: string | null = null) =>
        Object.assign({}, head, { choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      if (body.messages.at(-1)!.role === "tool")
        return openAIStream(res, [
          c({ role: "assistant", content: "" }),
          c({ content: "21 °C in Paris." }),
          c({}, "stop"),
        ]);
      return openAIStream(res, [
        c({
          role: "assistant",
          content: null,
          tool_calls: [
            { index: 0, id: "call_run", type: "function", function: { name: "get_weather", arguments: "" } },
          ],
        }),
        c({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Pa' } }] }),
        c({ tool_calls: [{ index: 0, function: { arguments: 'ris","unit":"c"}' } }] }),
        c({}, "tool_calls"),
      ]);
    };
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: "fake-gpt",
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
    const second = lastBody() as { messages: unknown[] };
    expect(second.messages.slice(1)).toEqual([
      expect.objectContaining({
        role: "assistant",
        tool_calls: [
          {
            id: "call_run",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
          },
        ],
      }),
      { role: "tool", tool_call_id: "call_run", content: '{"temp":21,"unit":"c"}' },
    ]);
  });
});

describe("models that cannot honour a field", () => {
  it("refuse it with a 400 naming the model and the field, logged once", async () => {
    const cases: [Record<string, unknown>, string][] = [
      // Tools need a chat template that takes them (the demo model's does not); JSON output and tool turns are
      // served by constrained decoding (server/modules/inference/structured).
      [{ tools: [weatherTool] }, "tools"],
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [
        {
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "hi" },
                { type: "image_url", image_url: { url: "https://x/y.png" } },
              ],
            },
          ],
        },
        "messages.0.content.1.type",
      ],
      [{ messages: [{ role: "function", name: "f", content: "{}" }] }, "messages.0.role"],
    ];
    for (const [extra, param] of cases) {
      const body = Object.assign({ model: "switchyard-demo", messages: [{ role: "user", content: "hi" }] }, extra);
      const error = await client.chat.completions
        .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
      expect(bad.param, JSON.stringify(extra)).toBe(param);
      expect(bad.message).toContain("switchyard-demo@1");
      const log = await logOf(bad.requestID ?? bad.headers?.get("x-request-id"));
      expect(log).toMatchObject({ status: 400, errorCode: "VALIDATION" });
    }
    // Anthropic translates tools, images and response_format (gateway-anthropic.int.test.ts), not log probabilities.
    const claude = await client.chat.completions
      .create({ model: "fake-claude", messages: [{ role: "user", content: "hi" }], logprobs: true })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>);
    expect(claude).toBeInstanceOf(OpenAI.BadRequestError);
    expect(claude).toMatchObject({ status: 400, param: "logprobs" });
    expect((claude as Error).message).toMatch(/fake-claude@1.*Anthropic/);
    // A text request still works.
    const ok = await client.chat.completions.create({
      model: "switchyard-demo",
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      response_format: { type: "text" },
      n: 1,
    });
    expect(ok.choices[0].message.content).toBeTruthy();
  });
});

describe("with a managed prompt or a route's pipeline", () => {
  const toolHistory = [
    { role: "user" as const, content: "Weather for ana@example.com's trip?" },
    {
      role: "assistant" as const,
      content: null,
      tool_calls: [
        {
          id: "call_h",
          type: "function" as const,
          function: { name: "get_weather", arguments: '{"city":"Rome","unit":"c"}' },
        },
      ],
    },
    { role: "tool" as const, tool_call_id: "call_h", content: '{"temp":21}' },
  ];

  it("prepends a prompt's messages and keeps the caller's tool history whole", async () => {
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-p",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [{ index: 0, message: { role: "assistant", content: "Sunny." }, finish_reason: "stop" }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      });
    await client.chat.completions.create({
      model: "prompt:support/reply",
      messages: toolHistory,
      tools: [weatherTool],
      // @ts-expect-error Switchyard's own field: the prompt's variables
      variables: { customer: "Ana", ticket: "T-9" },
    });
    const body = lastBody();
    expect(body.messages).toEqual([
      { role: "system", content: "You help Ana." },
      { role: "user", content: "Ticket: T-9" },
      ...toolHistory,
    ]);
    expect(body.tools).toEqual([weatherTool]);
    expect(body).not.toHaveProperty("variables");
    expect(body.temperature).toBe(0.1); // the prompt's config
  });

  it("masks the text an input guard masks and leaves tool calls and results without PII as sent", async () => {
    respond = (_req, res) =>
      sendJson(res, 200, {
        id: "chatcmpl-g",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: "I will write to bob@example.com.",
              tool_calls: [
                {
                  id: "call_g",
                  type: "function",
                  function: { name: "get_weather", arguments: '{"city":"bob@example.com","unit":"c"}' },
                },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
      });
    const completion = await client.chat.completions.create({
      model: "guarded-bot",
      messages: toolHistory,
      tools: [weatherTool],
    });
    const body = lastBody() as { messages: unknown[] };
    expect(body.messages).toEqual([
      { role: "user", content: "Weather for <EMAIL_1>'s trip?" },
      ...toolHistory.slice(1),
    ]);
    // Output guards mask the text and, value by value, the tool call's arguments (still valid JSON).
    expect(completion.choices[0].message.content).toBe("I will write to <EMAIL_2>.");
    expect(completion.choices[0].message.tool_calls).toEqual([
      {
        id: "call_g",
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"<EMAIL_2>","unit":"c"}' },
      },
    ]);
  });

  it("streams tool-call deltas intact through a route's output guards", async () => {
    respond = (_req, res) =>
      openAIStream(res, toolCallChunks(true).slice(0, 11).concat(toolCallChunks(true).slice(12)));
    const stream = client.chat.completions.stream({
      model: "guarded-bot",
      messages: [{ role: "user", content: "Weather in Paris and Oslo?" }],
      tools: [weatherTool],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.tool_calls).toMatchObject([
      { id: "call_A", function: { name: "get_weather", arguments: '{"city": "Paris", "unit":"c"}' } },
      { id: "call_B", function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"f"}' } },
    ]);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.usage).toMatchObject({ prompt_tokens: 31, completion_tokens: 18 });

    // The guards read the first choice's text: more choices would pass unguarded.
    const several = await client.chat.completions
      .create({ model: "guarded-bot", messages: [{ role: "user", content: "hi" }], n: 2 })
      .catch((e: unknown) => e);
    expect(several).toMatchObject({ status: 400, param: "n" });
  });
});

describe("a prompt version's tools, tool_choice and response_format", () => {
  const lookupTool = {
    type: "function" as const,
    function: {
      name: "lookup_order",
      description: "An order by its id",
      parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    },
  };
  const promptFields = {
    tools: [weatherTool],
    tool_choice: { type: "function" as const, function: { name: "get_weather" } },
    response_format: { type: "json_object" as const },
  };
  const answer = (res: Parameters<FakeHandler>[1]) =>
    sendJson(res, 200, {
      id: "chatcmpl-t",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o",
      choices: [{ index: 0, message: { role: "assistant", content: "{}" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });

  /** A chat prompt on `model` whose version 1 (labelled production) holds `fields`; returns its id. */
  async function toolPrompt(name: string, model: string, fields: Record<string, unknown>) {
    const { promptId } = await caller.prompts.create({
      name,
      type: "chat",
      template: [{ role: "system", content: "Answer in JSON." }],
      config: { model, ...fields },
    });
    await caller.prompts.moveLabel({ promptId, label: "production", version: 1 });
    return promptId;
  }

  beforeAll(async () => {
    await toolPrompt("tooled", "fake-gpt@production", promptFields);
  });

  it("reach the upstream with the prompt served as prompt:NAME@production", async () => {
    respond = (_req, res) => answer(res);
    const { data, response } = await client.chat.completions
      .create({ model: "prompt:tooled@production", messages: [{ role: "user", content: "Weather in Paris?" }] })
      .withResponse();
    expect(response.headers.get("x-switchyard-prompt-version")).toBe("tooled@1");
    expect(data.choices[0].message.content).toBe("{}");
    const body = lastBody();
    expect(body).toMatchObject(promptFields);
    expect(body.messages).toEqual([
      { role: "system", content: "Answer in JSON." },
      { role: "user", content: "Weather in Paris?" },
    ]);
  });

  it("give way, field by field, to the ones the request carries", async () => {
    respond = (_req, res) => answer(res);
    await client.chat.completions.create({
      model: "prompt:tooled@production",
      messages: [{ role: "user", content: "Order 7?" }],
      tools: [lookupTool],
      tool_choice: "auto",
    });
    const body = lastBody();
    expect(body.tools).toEqual([lookupTool]);
    expect(body.tool_choice).toBe("auto");
    expect(body.response_format).toEqual(promptFields.response_format); // not sent: the prompt's
  });

  it("stream a tool call back intact through the prompt", async () => {
    respond = (_req, res) => openAIStream(res, toolCallChunks(true));
    const stream = client.chat.completions.stream({
      model: "prompt:tooled@production",
      messages: [{ role: "user", content: "Weather in Paris and Oslo?" }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.tool_calls).toMatchObject([
      { id: "call_A", function: { name: "get_weather", arguments: '{"city": "Paris", "unit":"c"}' } },
      { id: "call_B", function: { name: "get_weather", arguments: '{"city":"Oslo","unit":"f"}' } },
    ]);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    const body = lastBody();
    expect(body).toMatchObject({ ...promptFields, stream: true, stream_options: { include_usage: true } });
    const log = await logOf(switchyardOf(final).requestId);
    expect(log).toMatchObject({ status: 200, toolNames: ["get_weather"], finishReason: "tool_calls" });
    expect(log.promptVersionId).not.toBeNull();
  });

  it("follow an experiment's variant: the prompt version it serves brings its own", async () => {
    const promptId = await toolPrompt("tool-trial", "fake-gpt@production", {});
    await caller.prompts.createVersion({
      promptId,
      template: [{ role: "system", content: "Answer in JSON." }],
      config: { model: "fake-gpt@production", tools: [lookupTool], tool_choice: "required" },
    });
    const experiment = await caller.experiments.create({
      name: "tool-trial",
      promptId,
      metrics: [{ name: "resolved", kind: "rate" }],
      variants: [
        { key: "plain", weight: 50, promptVersion: 1 },
        { key: "tools", weight: 50, promptVersion: 2 },
      ],
    });
    await caller.experiments.start({ id: experiment.id });
    // The variant that offers tools gets a tool call back.
    respond = (req, res) => {
      if (!(req.body as { tools?: unknown }).tools) return answer(res);
      sendJson(res, 200, {
        id: "chatcmpl-t",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "call_7", type: "function", function: { name: "lookup_order", arguments: '{"id":"7"}' } },
              ],
            },
            finish_reason: "tool_calls",
          },
        ],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      });
    };
    const seen = new Set<string>();
    for (let i = 0; i < 24 && seen.size < 2; i++) {
      const data = await client.chat.completions.create({
        model: "experiment:tool-trial",
        messages: [{ role: "user", content: "Order 7?" }],
        user: `unit-${i}`,
      });
      const info = switchyardOf(data) as unknown as { variant: string; promptVersion: string };
      const body = lastBody();
      const log = await logOf((info as unknown as { requestId: string }).requestId);
      expect(log.variantId).not.toBeNull();
      if (info.variant === "tools") {
        expect(info.promptVersion).toBe("tool-trial@2");
        expect(body.tools).toEqual([lookupTool]);
        expect(body.tool_choice).toBe("required");
        expect(data.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: "lookup_order" } });
        expect(log).toMatchObject({ toolNames: ["lookup_order"], finishReason: "tool_calls" });
      } else {
        expect(log.toolNames ?? []).toEqual([]);
        expect(info).toMatchObject({ variant: "plain", promptVersion: "tool-trial@1" });
        expect(body).not.toHaveProperty("tools");
        expect(body).not.toHaveProperty("tool_choice");
      }
      seen.add(info.variant);
    }
    expect([...seen].sort()).toEqual(["plain", "tools"]);
  });

  it("make a local model refuse the request with the 400 a request's own tools get", async () => {
    await toolPrompt("local-tooled", "switchyard-demo@production", { tools: [weatherTool] });
    const error = await client.chat.completions
      .create({ model: "prompt:local-tooled@production", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad).toMatchObject({ status: 400, param: "tools" });
    expect(bad.message).toContain("switchyard-demo@1");
    const log = await logOf(bad.requestID ?? bad.headers?.get("x-request-id"));
    expect(log).toMatchObject({ status: 400, errorCode: "VALIDATION" });
  });
});
