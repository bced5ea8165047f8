/**
 * The gateway over real HTTP (the standalone node:http entry on 127.0.0.1:0),
 * driven by the unmodified official `openai` SDK: local ONNX and upstream
 * models, streaming and not, legacy completions, model listing, managed
 * prompts and experiments.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { DEMO_REPLY } from "@/server/modules/inference/model-builder/pattern";
import { type FakeUpstream, sse, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { gatewayFixture, UPSTREAM_REPLY } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-sdk-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const upstreamChunk = (content: string, extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-up",
  object: "chat.completion.chunk",
  model: "fake-model",
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeUpstream(async (req, res) => {
    const body = req.body as { messages?: { content: string }[] };
    const last = body.messages?.at(-1)?.content;
    if (last === "slow") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse([{ data: upstreamChunk("tick ") }]));
      await req.completed;
      return;
    }
    if (last === "hang") {
      // No answer at all until the gateway gives up on this request.
      await req.completed;
      return;
    }
    if (last === "break") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sse([{ data: upstreamChunk("partial ") }]));
      res.end(sse([{ data: { error: { message: "the upstream model crashed" } } }]));
      return;
    }
    await reply(req, res, ["Hello, ", "wörld"], { usage: { prompt_tokens: 12, completion_tokens: 4 } });
  });
  fixture = await gatewayFixture(db, fake.origin);
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const logOf = async (requestId: string | null) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};

describe("chat completions with the local ONNX demo model", () => {
  it("answers in OpenAI's shape, says what served it, and logs one row", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "switchyard-demo@production", messages: [{ role: "user", content: "Hi" }], user: "u-1" })
      .withResponse();
    expect(data).toMatchObject({
      object: "chat.completion",
      model: "switchyard-demo@1",
      choices: [{ index: 0, message: { role: "assistant", content: DEMO_REPLY }, finish_reason: "stop" }],
    });
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.created).toBeGreaterThan(1_700_000_000);
    expect(data.usage!.completion_tokens).toBeGreaterThan(5);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    const requestId = response.headers.get("x-request-id");
    expect(response.headers.get("x-switchyard-model-version")).toBe("switchyard-demo@1");
    expect((data as unknown as { switchyard: unknown }).switchyard).toEqual({
      model: "switchyard-demo",
      modelVersion: "switchyard-demo@1",
      modelAlias: "production",
      promptVersion: null,
      experiment: null,
      variant: null,
      requestId,
    });
    const log = await logOf(requestId);
    expect(log).toMatchObject({
      projectId: fixture.project.id,
      method: "POST",
      path: "/v1/chat/completions",
      requestedModel: "switchyard-demo@production",
      status: 200,
      stream: false,
      deployment: "cpu",
      tokensOut: data.usage!.completion_tokens,
      tokensIn: data.usage!.prompt_tokens,
      cacheHit: false,
      guardrails: [],
      requestBody: null,
      responseBody: null,
      userId: "u-1",
      errorCode: null,
    });
    expect(log.costUsd).toBeGreaterThan(0);
    expect(log.ttftMs).toBeGreaterThan(0);
    expect(log.latencyMs).toBeGreaterThanOrEqual(log.ttftMs!);
  });

  it("streams chunks, a final finish_reason, a usage chunk and [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "switchyard-demo:1",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "switchyard-demo@1")).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(DEMO_REPLY);
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0].choices[0].finish_reason).toBe("stop");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(5);
    const requestId = (chunks[0] as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
    const log = await logOf(requestId);
    expect(log).toMatchObject({ status: 200, stream: true, tokensOut: last.usage!.completion_tokens });
    expect(log.ttftMs).toBeGreaterThan(0);
  });

  it("lets the SDK's stream helper accumulate the message", async () => {
    const runner = client.chat.completions.stream({
      model: "switchyard-demo",
      messages: [{ role: "user", content: "Hi" }],
    });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0].message.content).toBe(DEMO_REPLY);
  });

  it("serves raw text on /v1/completions", async () => {
    const completion = await client.completions.create({ model: "switchyard-demo", prompt: "abc", max_tokens: 5 });
    expect(completion).toMatchObject({
      object: "text_completion",
      choices: [{ index: 0, text: "defgh", finish_reason: "length" }],
      usage: { completion_tokens: 5 },
    });
    const stream = await client.completions.create({
      model: "switchyard-demo",
      prompt: "abc",
      max_tokens: 5,
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("defgh");
    expect(finish).toBe("length");
  });
});

describe("chat completions against an upstream", () => {
  it("forwards with the caller's sampling parameters and reports the upstream's usage and cost", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "fake-gpt@production",
        messages: [
          { role: "developer", content: "Be brief" },
          { role: "user", content: [{ type: "text", text: "Say hello" }] },
        ],
        temperature: 0.5,
        top_p: 0.9,
        max_completion_tokens: 20,
        stop: "END",
        seed: 7,
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe(UPSTREAM_REPLY);
    expect(data.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    // A pass-through: the upstream gets the body as the client sent it, with the upstream's model name.
    expect(fake.requests.at(-1)!.body).toEqual({
      model: "fake-model",
      messages: [
        { role: "developer", content: "Be brief" },
        { role: "user", content: [{ type: "text", text: "Say hello" }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 20,
      stop: "END",
      seed: 7,
    });
    // Called the way the client called us: one JSON answer, no SSE.
    expect(fake.requests.at(-1)!.body).not.toHaveProperty("stream_options");
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log.deployment).toBe(`upstream:${new URL(fake.origin).host}`);
    expect(log.costUsd).toBeCloseTo((12 * 1 + 4 * 2) / 1e6, 12);
    // Nothing timed a first token of a whole answer.
    expect(log).toMatchObject({ stream: false, ttftMs: null });
  });

  it("streams, and reports an upstream failure mid-stream as an error the SDK throws", async () => {
    const stream = await client.chat.completions.create({
      model: "fake-gpt",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    let streamedId = "";
    for await (const chunk of stream) {
      streamedId ||= (chunk as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe(UPSTREAM_REPLY);
    expect(fake.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const streamedLog = await logOf(streamedId);
    expect(streamedLog.stream).toBe(true);
    expect(streamedLog.ttftMs).toBeGreaterThan(0);
    expect(streamedLog.ttftMs).toBeLessThanOrEqual(streamedLog.latencyMs);

    const broken = await client.chat.completions.create({
      model: "fake-gpt",
      messages: [{ role: "user", content: "break" }],
      stream: true,
    });
    const seen: string[] = [];
    let requestId = "";
    const consume = async () => {
      for await (const chunk of broken) {
        requestId ||= (chunk as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
        seen.push(chunk.choices[0]?.delta.content ?? "");
      }
    };
    await expect(consume()).rejects.toThrow(/crashed/);
    expect(seen.join("")).toBe("partial ");
    const log = await logOf(requestId);
    expect(log).toMatchObject({ status: 502, errorCode: "UPSTREAM", stream: true });
  });
});

describe("models", () => {
  it("lists the project's models by name and alias, and retrieves one", async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual([
      "fake-gpt",
      "fake-gpt@production",
      "switchyard-demo",
      "switchyard-demo@production",
    ]);
    expect(page.data[0]).toMatchObject({ object: "model", owned_by: "switchyard" });
    expect(await client.models.retrieve("switchyard-demo@production")).toMatchObject({
      id: "switchyard-demo@production",
    });
    await expect(client.models.retrieve("nope")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("managed prompts", () => {
  it("renders prompt:NAME@label with variables before the caller's messages, on the prompt's model and params", async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: "prompt:support/reply@production",
        messages: [{ role: "user", content: "Any update?" }],
        // @ts-expect-error: Switchyard's non-standard field
        variables: { customer: "Ada", ticket: "#42 printer on fire" },
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe(UPSTREAM_REPLY);
    expect(fake.requests.at(-1)!.body).toMatchObject({
      messages: [
        { role: "system", content: "You help Ada." },
        { role: "user", content: "Ticket: #42 printer on fire" },
        { role: "user", content: "Any update?" },
      ],
      temperature: 0.1,
    });
    expect(response.headers.get("x-switchyard-prompt-version")).toBe("support/reply@1");
    expect(response.headers.get("x-switchyard-model-version")).toBe("fake-gpt@1");
    const log = await logOf(response.headers.get("x-request-id"));
    const version = await db.promptVersion.findFirstOrThrow({ where: { prompt: { name: "support/reply" } } });
    expect(log).toMatchObject({ promptVersionId: version.id, requestedModel: "prompt:support/reply@production" });
  });

  it("refuses a missing variable with 400 naming it", async () => {
    const error = await client.chat.completions
      .create({ model: "prompt:support/reply", messages: [], variables: { customer: "Ada" } } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toMatch(/ticket/);
  });
});

describe("experiments", () => {
  it("assigns the caller's user stickily, serves the variant's prompt version and logs the exposure", async () => {
    const ask = (user?: string) =>
      client.chat.completions
        .create({ model: "experiment:greeting-test", messages: [], user, variables: { name: "Ada" } } as never)
        .withResponse();
    const first = await ask("alice");
    const second = await ask("alice");
    const info = (r: typeof first) => (r.data as unknown as { switchyard: Record<string, unknown> }).switchyard;
    expect(info(first)).toMatchObject({
      experiment: "greeting-test",
      variant: expect.stringMatching(/^(control|friendly)$/),
    });
    expect(info(second).variant).toBe(info(first).variant);
    expect(first.response.headers.get("x-switchyard-variant")).toBe(info(first).variant);
    expect(info(first).promptVersion).toBe(info(first).variant === "control" ? "greeter@1" : "greeter@2");
    expect(first.data.choices[0].message.content).toBe(DEMO_REPLY);

    const exposures = await db.experimentExposure.findMany({
      where: { experimentId: fixture.experimentId },
      include: { variant: true },
      orderBy: { id: "asc" },
    });
    expect(exposures).toHaveLength(2);
    expect(exposures.map((e) => [e.unitId, e.sticky, e.variant.key, e.requestId])).toEqual([
      ["alice", true, info(first).variant, info(first).requestId],
      ["alice", true, info(first).variant, info(second).requestId],
    ]);
    const log = await logOf(info(first).requestId as string);
    expect(log).toMatchObject({
      experimentId: fixture.experimentId,
      variantId: exposures[0].variantId,
      userId: "alice",
    });

    const anonymous = await ask();
    expect(info(anonymous).variant).toMatch(/^(control|friendly)$/);
    const last = await db.experimentExposure.findFirstOrThrow({
      where: { requestId: info(anonymous).requestId as string },
    });
    expect(last).toMatchObject({ unitId: null, sticky: false });
  });
});

describe("over HTTP", () => {
  it("maps failures to the SDK's error classes with type, code and param", async () => {
    const messages = [{ role: "user" as const, content: "Hi" }];
    const stranger = new OpenAI({ apiKey: "sy_wrong", baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const reader = new OpenAI({
      apiKey: (await makeApiKey(db, fixture.project.id, ["models:read"])).key,
      baseURL: `${gateway.origin}/v1`,
      maxRetries: 0,
    });
    await expect(reader.chat.completions.create({ model: "switchyard-demo", messages })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
    await expect(client.chat.completions.create({ model: "nope", messages })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    const invalid = await client.chat.completions
      .create({ model: "switchyard-demo", messages, temperature: 9 })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect(invalid).toMatchObject({ status: 400, type: "invalid_request_error", param: "temperature" });
  });

  it("aborts the upstream call when the SDK client goes away before a JSON answer", async () => {
    const before = fake.requests.length;
    const gone = new AbortController();
    const pending = client.chat.completions
      .create({ model: "fake-gpt@production", messages: [{ role: "user", content: "hang" }] }, { signal: gone.signal })
      .catch((error: unknown) => error);
    // Leaves once the upstream has the request (however long a loaded machine took to get it there).
    const upstreamCall = await fake.received(before);
    gone.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    // The gateway hung up on the upstream (it never answered), and logged the request once, as the client's doing.
    expect(await upstreamCall.completed).toBe(false);
    const entry = await sink.waitFor((e) => e.requestedModel === "fake-gpt@production" && e.status === 499);
    expect(entry).toMatchObject({ errorCode: "CLIENT_CLOSED", stream: false });
    expect(sink.byId(entry.id)).toHaveLength(1);
  });

  it("aborts the upstream generation when the SDK client goes away mid-stream", async () => {
    const stream = await client.chat.completions.create({
      model: "fake-gpt@production",
      messages: [{ role: "user", content: "slow" }],
      stream: true,
    });
    let requestId = "";
    for await (const chunk of stream) {
      requestId = (chunk as unknown as { switchyard: { requestId: string } }).switchyard.requestId;
      break;
    }
    expect(await fake.requests.at(-1)!.completed).toBe(false);
    expect(await logOf(requestId)).toMatchObject({ status: 499, errorCode: "CLIENT_CLOSED", stream: true });
  });
});
