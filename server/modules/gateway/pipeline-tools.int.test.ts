/**
 * A route's pipeline on tool-calling traffic, through real HTTP with the official `openai` SDK against a fake
 * OpenAI-compatible upstream: input guards read text parts, tool results and assistant tool calls' arguments
 * (a block is the usual 400 before any upstream call; a mask reaches the upstream inside the arguments, still
 * valid JSON), output guards read the answer's tool-call arguments (streamed fragments too), the token limit
 * counts tool definitions, and the masked request log masks all of it.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  type FakeHandler,
  type FakeUpstream,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { staticRoutes } from "@/server/modules/routes/source";
import { withTestDatabase } from "@/server/testing/db";
import { GUARDRAILS_HEADER } from "./pipeline";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { openAIStream } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

process.env.SWITCHYARD_DATA_DIR = await mkdtemp(path.join(tmpdir(), "switchyard-pipeline-tools-"));
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let respond: FakeHandler;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const to = (pipeline: Record<string, unknown>) => ({ deployments: [{ model: "fake-gpt" }], pipeline });

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => respond(req, res));
  const fixture = await gatewayFixture(db, fake.origin);
  const routes = staticRoutes({
    "pii-block": to({ input: { pii: { action: "block" } } }),
    "pii-mask": to({ input: { pii: { action: "mask" } } }),
    "out-block": to({ output: { pii: { action: "block" } } }),
    "token-limit": to({ input: { maxInputTokens: 120 } }),
  });
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink,
    promptCache: null,
    routes,
    bodyLogging: () => "masked",
  });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const answered = (message: Record<string, unknown>, finish = "stop") => ({
  id: "chatcmpl-t",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
});
beforeEach(() => {
  respond = (_req, res) => sendJson(res, 200, answered({ content: "Done." }));
});

const logOf = async (requestId: string | null | undefined) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};
const requestIdOf = (value: unknown) => (value as { switchyard: { requestId: string } }).switchyard.requestId;

const sendTool: ChatCompletionTool = {
  type: "function",
  function: {
    name: "send_mail",
    description: "Sends an e-mail",
    parameters: { type: "object", properties: { to: { type: "string" }, body: { type: "string" } } },
  },
};

/** A conversation whose assistant turn called send_mail with `args`, answered by a tool result `result`. */
const conversation = (args: string, result = '{"sent":true}'): ChatCompletionMessageParam[] => [
  { role: "user", content: "Mail the report to my colleague." },
  {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name: "send_mail", arguments: args } }],
  },
  { role: "tool", tool_call_id: "call_1", content: result },
];

describe("input guards on tool calls, tool results and text parts", () => {
  const cases: [string, ChatCompletionMessageParam[]][] = [
    ["an assistant tool call's arguments", conversation('{"to":"ana@example.com","body":"Q3 report"}')],
    ["a tool result", conversation('{"to":"colleague"}', '{"sent_to":"ana@example.com"}')],
    [
      "a text part",
      [
        {
          role: "user",
          content: [
            { type: "text", text: "Write to " },
            { type: "image_url", image_url: { url: "https://example.org/card.png" } },
            { type: "text", text: "ana@example.com please" },
          ],
        },
      ],
    ],
  ];

  it.each(cases)(
    "refuse an e-mail in %s with the 400 a text block gets, before any upstream call",
    async (_, messages) => {
      const calls = fake.requests.length;
      const error = await client.chat.completions
        .create({ model: "pii-block", messages, tools: [sendTool] })
        .catch((e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, code: "guardrail_blocked", type: "invalid_request_error" });
      expect((error as Error).message).toContain("Blocked by the input guardrail 'pii': EMAIL data");
      expect((error as Error).message).not.toContain("ana@");
      expect(fake.requests.length).toBe(calls);
      const log = await logOf((error as InstanceType<typeof OpenAI.BadRequestError>).headers?.get("x-request-id"));
      expect(log).toMatchObject({
        status: 400,
        errorCode: "GUARDRAIL_BLOCKED",
        guardrails: [{ stage: "input", rule: "pii", action: "block", count: 1, kinds: { EMAIL: 1 } }],
      });
    },
  );

  it("mask inside the arguments, tool results and text parts the upstream gets, keeping every other field", async () => {
    const messages: ChatCompletionMessageParam[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "Write to " },
          { type: "image_url", image_url: { url: "https://example.org/card.png", detail: "low" } },
          { type: "text", text: "ana@example.com please" },
        ],
      },
      ...conversation(
        '{"to": "ana@example.com", "cc": ["bob@example.com"], "body": "Call 4111 1111 1111 1111", "urgent": true}',
        "Delivered to bob@example.com",
      ).slice(1),
    ];
    const { data, response } = await client.chat.completions
      .create({ model: "pii-mask", messages, tools: [sendTool], tool_choice: "auto" })
      .withResponse();
    expect(response.headers.get(GUARDRAILS_HEADER)).toBe("input:pii=mask(5)");
    const body = fake.requests.at(-1)!.body as { messages: unknown[]; tools: unknown; tool_choice: unknown };
    expect(body.tools).toEqual([sendTool]);
    expect(body.tool_choice).toBe("auto");
    expect(body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Write to " },
          { type: "image_url", image_url: { url: "https://example.org/card.png", detail: "low" } },
          { type: "text", text: "<EMAIL_1> please" },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: {
              name: "send_mail",
              arguments: '{"to": "<EMAIL_1>", "cc": ["<EMAIL_2>"], "body": "Call <CARD_1>", "urgent": true}',
            },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "Delivered to <EMAIL_2>" },
    ]);
    const args = (body.messages[1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0].function;
    expect(JSON.parse(args.arguments)).toEqual({
      to: "<EMAIL_1>",
      cc: ["<EMAIL_2>"],
      body: "Call <CARD_1>",
      urgent: true,
    });

    // The masked request log: the client's body with the same values masked, arguments still JSON.
    const log = await logOf(requestIdOf(data));
    expect(log.guardrails).toEqual([
      { stage: "input", rule: "pii", action: "mask", count: 5, kinds: { EMAIL: 4, CARD: 1 } },
    ]);
    const logged = JSON.stringify(log.requestBody);
    expect(logged).not.toMatch(/ana@|bob@|4111/);
    const loggedMessages = (log.requestBody as { messages: typeof body.messages }).messages;
    const loggedArgs = (loggedMessages[1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]
      .function.arguments;
    expect(JSON.parse(loggedArgs)).toMatchObject({ to: "<EMAIL_1>", cc: ["<EMAIL_2>"] });
    expect(loggedMessages[2]).toEqual({ role: "tool", tool_call_id: "call_1", content: "Delivered to <EMAIL_2>" });
  });
});

describe("output guards on tool calls", () => {
  const head = { id: "chatcmpl-s", object: "chat.completion.chunk", created: 1, model: "gpt-4o" };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    Object.assign({}, head, { choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const fragment = (index: number, args: string, start?: { id: string; name: string }) =>
    chunk({
      tool_calls: [
        {
          index,
          ...(start ? { id: start.id, type: "function" } : {}),
          function: start ? { name: start.name, arguments: args } : { arguments: args },
        },
      ],
    });

  it("block an e-mail split across streamed argument fragments: the stream ends with content_filter", async () => {
    respond = (_req, res) =>
      openAIStream(res, [
        chunk({ role: "assistant", content: null }),
        fragment(0, "", { id: "call_a", name: "send_mail" }),
        fragment(0, '{"to": "ana.lo'),
        fragment(0, "pez@exam"),
        fragment(0, 'ple.com", "body": "hi"}'),
        chunk({}, "tool_calls"),
        Object.assign({}, head, { choices: [], usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 } }),
      ]);
    const stream = await client.chat.completions.create({
      model: "out-block",
      messages: [{ role: "user", content: "Mail Ana." }],
      tools: [sendTool],
      stream: true,
    });
    let args = "";
    let finish: string | null = null;
    let requestId = "";
    for await (const part of stream) {
      requestId ||= requestIdOf(part);
      for (const choice of part.choices) {
        for (const call of choice.delta.tool_calls ?? []) args += call.function?.arguments ?? "";
        finish = choice.finish_reason ?? finish;
      }
    }
    expect(finish).toBe("content_filter");
    expect(args).not.toMatch(/ana|lopez|exam|\.com/);
    const log = await logOf(requestId);
    expect(log).toMatchObject({
      status: 200,
      guardrails: [{ stage: "output", rule: "pii", action: "block", count: 1, kinds: { EMAIL: 1 } }],
    });
  });

  it("block an e-mail in a whole answer's tool call: the call is dropped, finish_reason content_filter", async () => {
    respond = (_req, res) =>
      sendJson(
        res,
        200,
        answered(
          {
            content: null,
            tool_calls: [
              {
                id: "call_b",
                type: "function",
                function: { name: "send_mail", arguments: '{"to":"ana@example.com"}' },
              },
            ],
          },
          "tool_calls",
        ),
      );
    const completion = await client.chat.completions.create({
      model: "out-block",
      messages: [{ role: "user", content: "Mail Ana." }],
      tools: [sendTool],
    });
    expect(completion.choices[0].finish_reason).toBe("content_filter");
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(JSON.stringify(completion)).not.toContain("ana@");
    expect((await logOf(requestIdOf(completion))).guardrails).toEqual([
      { stage: "output", rule: "pii", action: "block", count: 1, kinds: { EMAIL: 1 } },
    ]);
  });
});

describe("the route's maxInputTokens", () => {
  it("counts tool definitions: a large one trips the limit the messages alone stay under", async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: "Mail the report." }];
    await client.chat.completions.create({ model: "token-limit", messages, tools: [sendTool] });
    const calls = fake.requests.length;
    const large: ChatCompletionTool = {
      type: "function",
      function: {
        name: "file_report",
        description: "Files the quarterly report with every field the finance team needs. ".repeat(12),
        parameters: { type: "object", properties: { quarter: { type: "string" } } },
      },
    };
    const error = await client.chat.completions
      .create({ model: "token-limit", messages, tools: [sendTool, large] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>);
    expect(error).toMatchObject({ status: 400, code: "guardrail_blocked" });
    expect((error as Error).message).toMatch(/'max_input_tokens': the input is about \d+ tokens, the route allows 120/);
    expect(fake.requests.length).toBe(calls);
    const log = await logOf((error as InstanceType<typeof OpenAI.BadRequestError>).headers?.get("x-request-id"));
    expect(log.guardrails).toEqual([
      { stage: "input", rule: "max_input_tokens", action: "block", count: expect.any(Number) },
    ]);
  });
});

describe("the response cache", () => {
  it("keys on tool calls' arguments and non-text parts, not only the messages' text", async () => {
    let calls = 0;
    respond = (_req, res) => {
      calls++;
      sendJson(res, 200, answered({ content: `answer ${calls}` }));
    };
    const ask = async (args: string, url: string) => {
      const messages: ChatCompletionMessageParam[] = [
        {
          role: "user",
          content: [
            { type: "text", text: "What is on this card?" },
            { type: "image_url", image_url: { url } },
          ],
        },
        ...conversation(args).slice(1),
      ];
      const { data, response } = await client.chat.completions
        .create({ model: "fake-gpt", messages, tools: [sendTool], temperature: 0 })
        .withResponse();
      return { text: data.choices[0].message.content, cache: response.headers.get("x-switchyard-cache") };
    };
    expect(await ask('{"to":"a"}', "https://example.org/1.png")).toEqual({ text: "answer 1", cache: "miss" });
    expect(await ask('{"to":"a"}', "https://example.org/1.png")).toEqual({ text: "answer 1", cache: "hit" });
    expect(await ask('{"to":"b"}', "https://example.org/1.png")).toEqual({ text: "answer 2", cache: "miss" });
    expect(await ask('{"to":"a"}', "https://example.org/2.png")).toEqual({ text: "answer 3", cache: "miss" });
    expect(calls).toBe(3);
  });
});
