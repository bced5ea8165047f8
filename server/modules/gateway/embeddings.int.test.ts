/**
 * POST /v1/embeddings over real HTTP (the standalone node:http entry), driven by the official `openai` SDK against
 * a fake upstream that speaks OpenAI's embeddings wire format (float lists, or base64 of little-endian float32).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import {
  type FakeUpstream,
  type ReceivedRequest,
  sendJson,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-embeddings-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let keyUsage: KeyUsageRecorder;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

const PRICE_PER_MTOK = 0.5;
const TOKENS_PER_INPUT = 5;

/** Item `i`'s vector: values exact in float32, so base64 round trips compare equal. */
const vectorOf = (i: number, dims: number) =>
  Array.from({ length: dims }, (_, j) => (j % 2 ? -1 : 1) * ((i + 1) * 0.5 + j * 0.25));

const base64Of = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString("base64");

/** OpenAI's embeddings answer for what the request asked. */
function embeddingsAnswer(req: ReceivedRequest) {
  const body = req.body as { input: unknown; dimensions?: number; encoding_format?: string; model: string };
  const inputs = Array.isArray(body.input) && typeof body.input[0] !== "number" ? body.input : [body.input];
  const dims = body.dimensions ?? 4;
  return {
    object: "list",
    data: inputs.map((_, index) => ({
      object: "embedding",
      index,
      embedding: body.encoding_format === "base64" ? base64Of(vectorOf(index, dims)) : vectorOf(index, dims),
    })),
    model: body.model,
    usage: { prompt_tokens: inputs.length * TOKENS_PER_INPUT, total_tokens: inputs.length * TOKENS_PER_INPUT },
  };
}

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) => {
    const input = (req.body as { input?: unknown }).input;
    if (input === "upstream-refuses")
      return sendJson(res, 400, { error: { message: "This model's maximum context length is 8192 tokens" } });
    if (input === "upstream-breaks") return sendJson(res, 500, { error: { message: "the upstream fell over" } });
    if (input === "upstream-garbles") return sendJson(res, 200, { object: "list" });
    sendJson(res, 200, embeddingsAnswer(req));
  });
  fixture = await gatewayFixture(db, fake.origin);
  const embedder = await fixture.caller.models.create({
    name: "fake-embed",
    provider: "openai-compatible",
    task: "embedding",
    priceInputPerMTok: PRICE_PER_MTOK,
  });
  await fixture.caller.models.createVersion({
    modelId: embedder.id,
    endpointBaseUrl: `${fake.origin}/v1`,
    upstreamModelId: "text-embedding-3-small",
    apiKey: "sk-embed-secret",
  });
  keyUsage = new KeyUsageRecorder(db);
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink, promptCache: null, keyUsage });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await keyUsage?.close();
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const logOf = async (requestId: string | null) => {
  const entry = await sink.waitFor((e) => e.id === requestId);
  expect(sink.byId(requestId!)).toHaveLength(1);
  return entry;
};

/** The SDK error a call rejected with (null when it succeeded). */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

/** The upstream request the last call made. */
const lastUpstream = () => fake.requests.at(-1)!;

describe("POST /v1/embeddings", () => {
  it("embeds one string: base64 by the SDK's default, decoded to the upstream's floats; logged with tokens and cost", async () => {
    const before = fake.requests.length;
    const { data, response } = await client.embeddings
      .create({ model: "fake-embed", input: "hello world", user: "u-7" })
      .withResponse();
    expect(fake.requests).toHaveLength(before + 1);
    const upstream = lastUpstream();
    expect(upstream.path).toBe("/v1/embeddings");
    expect(upstream.headers.authorization).toBe("Bearer sk-embed-secret");
    // As the client sent it, but for the model's name upstream.
    expect(upstream.body).toEqual({
      model: "text-embedding-3-small",
      input: "hello world",
      user: "u-7",
      encoding_format: "base64",
    });
    expect(data.object).toBe("list");
    expect(data.model).toBe("fake-embed@1");
    expect(data.data).toHaveLength(1);
    expect(data.data[0]).toMatchObject({ object: "embedding", index: 0 });
    expect(data.data[0].embedding).toEqual(vectorOf(0, 4));
    expect(data.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
    const requestId = response.headers.get("x-request-id");
    expect(response.headers.get("x-switchyard-model-version")).toBe("fake-embed@1");
    expect((data as unknown as { switchyard: unknown }).switchyard).toMatchObject({
      model: "fake-embed",
      modelVersion: "fake-embed@1",
      requestId,
    });
    const log = await logOf(requestId);
    expect(log).toMatchObject({
      projectId: fixture.project.id,
      method: "POST",
      path: "/v1/embeddings",
      requestedModel: "fake-embed",
      status: 200,
      stream: false,
      tokensIn: 5,
      tokensOut: 0,
      ttftMs: null,
      userId: "u-7",
      deployment: expect.stringMatching(/^upstream:127\.0\.0\.1:\d+$/),
    });
    expect(log.modelVersionId).toBeTruthy();
    expect(log.costUsd).toBeCloseTo((5 * PRICE_PER_MTOK) / 1e6, 12);
  });

  it("embeds a batch of strings, one vector per input in order", async () => {
    const input = ["alpha", "beta", "gamma"];
    const { data, response } = await client.embeddings.create({ model: "fake-embed", input }).withResponse();
    expect(data.data.map((d) => d.index)).toEqual([0, 1, 2]);
    data.data.forEach((d, i) => {
      expect(d.embedding).toEqual(vectorOf(i, 4));
    });
    expect((lastUpstream().body as { input: unknown }).input).toEqual(input);
    const log = await logOf(response.headers.get("x-request-id"));
    expect(log.tokensIn).toBe(15);
    expect(log.costUsd).toBeCloseTo((15 * PRICE_PER_MTOK) / 1e6, 12);
  });

  it("forwards dimensions, and token-array input", async () => {
    const sized = await client.embeddings.create({ model: "fake-embed", input: "short", dimensions: 8 });
    expect(sized.data[0].embedding).toEqual(vectorOf(0, 8));
    expect((lastUpstream().body as { dimensions: unknown }).dimensions).toBe(8);
    const tokens = await client.embeddings.create({ model: "fake-embed", input: [[1, 2, 3], [4]] });
    expect(tokens.data).toHaveLength(2);
    expect((lastUpstream().body as { input: unknown }).input).toEqual([[1, 2, 3], [4]]);
  });

  it("passes encoding_format 'float' through and returns the upstream's floats as sent", async () => {
    const { data } = await client.embeddings.create({
      model: "fake-embed",
      input: ["x", "y"],
      encoding_format: "float",
    });
    expect((lastUpstream().body as { encoding_format: unknown }).encoding_format).toBe("float");
    expect(data[1].embedding).toEqual(vectorOf(1, 4));
  });

  it("passes unknown fields through untouched", async () => {
    await client.embeddings.create({
      model: "fake-embed",
      input: "x",
      encoding_format: "float",
      // @ts-expect-error: a field the SDK does not know, which an upstream may
      truncate_prompt_tokens: 128,
    });
    expect(lastUpstream().body).toMatchObject({ truncate_prompt_tokens: 128, model: "text-embedding-3-small" });
  });

  it("raw base64 answers pass through as the upstream sent them", async () => {
    const res = await fetch(`${gateway.origin}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-embed", input: "x", encoding_format: "base64" }),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data[0].embedding).toBe(base64Of(vectorOf(0, 4)));
  });
});

describe("refusals", () => {
  it("refuses a local chat model with a 400 that names it and says why", async () => {
    const before = fake.requests.length;
    const error = await refusal(client.embeddings.create({ model: "switchyard-demo", input: "x" }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error!.message).toMatch(
      /'switchyard-demo@1' is a chat model; \/v1\/embeddings serves models registered with task 'embedding'/,
    );
    expect(error!.param).toBe("model");
    expect(fake.requests).toHaveLength(before);
    const log = await logOf(error!.headers?.get("x-request-id") ?? null);
    expect(log).toMatchObject({ status: 400, path: "/v1/embeddings", requestedModel: "switchyard-demo" });
  });

  it("refuses a chat model with a 400", async () => {
    const error = await refusal(client.embeddings.create({ model: "fake-gpt", input: "x" }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error!.message).toMatch(/'fake-gpt@1' is a chat model/);
    expect(error!.param).toBe("model");
  });

  it("refuses an Anthropic model with a 400", async () => {
    const claude = await fixture.caller.models.create({
      name: "claude-embed",
      provider: "anthropic",
      task: "embedding",
    });
    await fixture.caller.models.createVersion({
      modelId: claude.id,
      endpointBaseUrl: `${fake.origin}/v1`,
      upstreamModelId: "claude",
      apiKey: "sk-ant",
    });
    const error = await refusal(client.embeddings.create({ model: "claude-embed", input: "x" }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error!.message).toMatch(/Anthropic, which has no embeddings API/);
  });

  it("answers an unknown model with 404", async () => {
    const error = await refusal(client.embeddings.create({ model: "no-such-model", input: "x" }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("names the offending field of bad input in a 400, never a 5xx", async () => {
    const missing = await refusal(
      client.embeddings.create({ model: "fake-embed" } as unknown as OpenAI.EmbeddingCreateParams),
    );
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect(missing!.param).toBe("input");
    expect(missing!.message).toMatch(/input is required/);
    const cases: [Record<string, unknown>, string][] = [
      [{ model: "fake-embed", input: "" }, "input"],
      [{ model: "fake-embed", input: [] }, "input"],
      [{ model: "fake-embed", input: 42 }, "input"],
      [{ model: "fake-embed", input: ["a", 3] }, "input.1"],
      [{ model: "fake-embed", input: [1, -2] }, "input.1"],
      [{ model: "fake-embed", input: [[1], [2, "x"]] }, "input.1.1"],
      [{ model: "fake-embed", input: [{}] }, "input.0"],
      [{ model: "fake-embed", input: "x", encoding_format: "int8" }, "encoding_format"],
      [{ model: "fake-embed", input: "x", dimensions: 0 }, "dimensions"],
      [{ model: "fake-embed", input: "x", dimensions: 1.5 }, "dimensions"],
      [{ model: "fake-embed", input: "x", user: 3 }, "user"],
      [{ input: "x" }, "model"],
      [{ model: "prompt:support/reply", input: "x" }, "model"],
    ];
    for (const [body, param] of cases) {
      const res = await fetch(`${gateway.origin}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      expect({ body, status: res.status, param: json.error?.param, type: json.error?.type }).toEqual({
        body,
        status: 400,
        param,
        type: "invalid_request_error",
      });
    }
    const notJson = await fetch(`${gateway.origin}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
  });

  it("refuses a body over the limit with 413", async () => {
    const res = await fetch(`${gateway.origin}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-embed", input: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
  });

  it("refuses a key without gateway:invoke with 403", async () => {
    const { key } = await makeApiKey(db, fixture.project.id, ["models:read"]);
    const other = new OpenAI({ apiKey: key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    const error = await refusal(other.embeddings.create({ model: "fake-embed", input: "x" }));
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it("maps upstream errors like chat completions: its 400 stays a 400, a 5xx is a 502, a bad answer a 502", async () => {
    const refused = await refusal(client.embeddings.create({ model: "fake-embed", input: "upstream-refuses" }));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused!.message).toMatch(/maximum context length is 8192 tokens/);
    const broken = await refusal(client.embeddings.create({ model: "fake-embed", input: "upstream-breaks" }));
    expect(broken!.status).toBe(502);
    expect(broken!.message).toMatch(/the upstream fell over/);
    const garbled = await refusal(client.embeddings.create({ model: "fake-embed", input: "upstream-garbles" }));
    expect(garbled!.status).toBe(502);
    expect(garbled!.message).toMatch(/malformed response/);
  });
});

describe("key limits", () => {
  it("counts the request's prompt tokens and cost against the key", async () => {
    const key = await fixture.caller.apiKeys.create({
      name: "embed-limited",
      scopes: ["gateway:invoke"],
      tokensPerMinute: 1000,
      budgetUsd: 1,
      budgetPeriod: "day",
    });
    const limited = new OpenAI({ apiKey: key.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    await limited.embeddings.create({ model: "fake-embed", input: ["a", "b"] });
    await keyUsage.flush();
    const usage = (await fixture.caller.apiKeys.usage({})).find((u) => u.id === key.id)!;
    expect(usage.tokensPerMinute).toBe(10);
    expect(usage.spentUsd).toBeCloseTo((10 * PRICE_PER_MTOK) / 1e6, 12);
  });

  it("refuses over the requests-per-minute limit with 429", async () => {
    const key = await fixture.caller.apiKeys.create({
      name: "embed-rpm",
      scopes: ["gateway:invoke"],
      requestsPerMinute: 1,
    });
    const limited = new OpenAI({ apiKey: key.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    await limited.embeddings.create({ model: "fake-embed", input: "a" });
    const error = await refusal(limited.embeddings.create({ model: "fake-embed", input: "a" }));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  });
});
