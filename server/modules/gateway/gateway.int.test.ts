/**
 * The gateway handler called directly with Fetch Requests: authentication and
 * the key cache, every error status in OpenAI's shape, BUSY from the engine,
 * client disconnects, and exactly one request-log entry per request.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateApiKey } from "@/server/auth/api-key";
import type { Db } from "@/server/db";
import { InferenceEngine } from "@/server/modules/inference/engine";
import {
  closedPort,
  type FakeUpstream,
  sendJson,
  sse,
  startFakeUpstream,
} from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { wantsStream } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-gateway-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
// One request runs and none may wait, so a second concurrent request is BUSY.
(globalThis as Record<symbol, unknown>)[Symbol.for("switchyard.inference.engine")] = new InferenceEngine({
  maxRunningPerModel: 1,
  maxWaitingPerModel: 0,
  device: "cpu",
});

let db: Db;
let fake: FakeUpstream;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let handler: GatewayHandler;
let clock = 0;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});

beforeAll(async () => {
  fake = await startFakeUpstream(async (req, res) => {
    const last = (req.body as { messages: { content: string }[] }).messages.at(-1)?.content;
    if (last === "fail") return sendJson(res, 500, { error: { message: "upstream exploded" } });
    // Like some servers, this one reports no usage.
    if (!wantsStream(req))
      return sendJson(res, 200, { choices: [{ index: 0, message: { content: "ok" }, finish_reason: "stop" }] });
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    if (last === "slow") {
      // One token, then silence until the client hangs up.
      res.write(sse([{ data: chunk("tick ") }]));
      await req.completed;
      return;
    }
    res.end(
      sse([
        { data: chunk("ok") },
        { data: { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] } },
        { data: "[DONE]" },
      ]),
    );
  });
  fixture = await gatewayFixture(db, fake.origin);
  handler = createGatewayHandler({
    db,
    sink,
    promptCache: null,
    maxBodyBytes: 4096,
    keyCacheOptions: { ttlMs: 10_000, negativeTtlMs: 3_000, clock: () => clock },
  });
});
afterAll(async () => {
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const URL_BASE = "http://gateway.test";

function request(
  pathname: string,
  init: { body?: unknown; auth?: string | null; method?: string; signal?: AbortSignal } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = init.auth === undefined ? `Bearer ${fixture.key}` : init.auth;
  if (auth) headers.authorization = auth;
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  const body =
    init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  return handler(new Request(`${URL_BASE}${pathname}`, { method, headers, body, signal: init.signal }));
}

const chat = (body: Record<string, unknown>, init: Parameters<typeof request>[1] = {}) =>
  request("/v1/chat/completions", { ...init, body: { messages: [{ role: "user", content: "Hi" }], ...body } });

/** The OpenAI error body, and the request's single log entry (none when `logged` is false). */
async function expectError(response: Response, status: number, type: string, logged = true) {
  expect(response.status).toBe(status);
  const body = await response.json();
  expect(body).toEqual({
    error: { message: expect.any(String), type, code: expect.any(String), param: body.error.param ?? null },
  });
  expect(body.error.message).not.toMatch(/\n\s+at /);
  const id = response.headers.get("x-request-id")!;
  expect(sink.byId(id)).toHaveLength(logged ? 1 : 0);
  return { error: body.error as { message: string; code: string; param: string | null }, log: sink.byId(id)[0] };
}

describe("authentication", () => {
  it("refuses a missing, malformed or unknown key with 401 and logs nothing (no project is known)", async () => {
    const before = sink.entries.length;
    await expectError(await request("/v1/models", { auth: null }), 401, "authentication_error", false);
    await expectError(await request("/v1/models", { auth: "Basic abc" }), 401, "authentication_error", false);
    const unknown = await expectError(
      await request("/v1/models", { auth: "Bearer sy_unknown" }),
      401,
      "authentication_error",
      false,
    );
    expect(unknown.error.message).toBe("Invalid API key");
    expect(sink.entries.length).toBe(before);
  });

  it("refuses a key without gateway:invoke with 403, logged under its project", async () => {
    const { key, row } = await makeApiKey(db, fixture.project.id, ["models:read"]);
    const { error, log } = await expectError(
      await chat({ model: "switchyard-demo" }, { auth: `Bearer ${key}` }),
      403,
      "permission_error",
    );
    expect(error.message).toContain("gateway:invoke");
    expect(log).toMatchObject({ projectId: fixture.project.id, apiKeyId: row.id, status: 403, errorCode: "FORBIDDEN" });
  });

  it("caches verification: a revoked key works until the TTL passes, an unknown key stays refused for the negative TTL", async () => {
    const { key, row } = await makeApiKey(db, fixture.project.id, ["gateway:invoke"]);
    expect((await request("/v1/models", { auth: `Bearer ${key}` })).status).toBe(200);
    await db.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    expect((await request("/v1/models", { auth: `Bearer ${key}` })).status).toBe(200);
    clock += 10_001;
    const revoked = await expectError(
      await request("/v1/models", { auth: `Bearer ${key}` }),
      401,
      "authentication_error",
      false,
    );
    expect(revoked.error.message).toContain("revoked");

    const fresh = generateApiKey();
    expect((await request("/v1/models", { auth: `Bearer ${fresh.key}` })).status).toBe(401);
    await db.apiKey.create({
      data: {
        projectId: fixture.project.id,
        name: "late",
        prefix: fresh.prefix,
        secretHash: fresh.secretHash,
        scopes: ["gateway:invoke"],
        createdByLabel: "test",
      },
    });
    expect((await request("/v1/models", { auth: `Bearer ${fresh.key}` })).status).toBe(401);
    clock += 3_001;
    expect((await request("/v1/models", { auth: `Bearer ${fresh.key}` })).status).toBe(200);
  });
});

describe("invalid requests", () => {
  it("answers 400 naming the offending field as param", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: "switchyard-demo", temperature: 5 }, "temperature"],
      [{ model: "switchyard-demo", messages: "hi" }, "messages"],
      [{ model: "switchyard-demo", messages: [{ role: "tool", content: "x" }] }, "messages.0.role"],
      [{ model: "switchyard-demo", tools: [{ type: "function" }] }, "tools"],
      [{ model: "switchyard-demo", n: 2 }, "n"],
      [{ model: "switchyard-demo", stop: ["a", ""] }, "stop"],
      [{ model: "" }, "model"],
      [{ model: "switchyard-demo", messages: [] }, "messages"],
    ];
    for (const [body, param] of cases) {
      const { error, log } = await expectError(await chat(body), 400, "invalid_request_error");
      expect(error.param?.startsWith(param), `${JSON.stringify(body)} -> ${error.param}`).toBe(true);
      expect(log).toMatchObject({ status: 400, errorCode: "VALIDATION" });
    }
    const noModel = await expectError(await chat({}), 400, "invalid_request_error");
    expect(noModel.error.param).toBe("model");
  });

  it("answers 400 for malformed JSON and non-object bodies", async () => {
    const malformed = await expectError(
      await request("/v1/chat/completions", { body: "{nope" }),
      400,
      "invalid_request_error",
    );
    expect(malformed.error.message).toMatch(/JSON/);
    await expectError(await request("/v1/completions", { body: "[1]" }), 400, "invalid_request_error");
  });

  it("answers 413 for a body over the limit", async () => {
    const { error, log } = await expectError(
      await chat({ model: "switchyard-demo", messages: [{ role: "user", content: "x".repeat(5000) }] }),
      413,
      "invalid_request_error",
    );
    expect(error.code).toBe("payload_too_large");
    expect(log.status).toBe(413);
  });

  it("answers 404 for unknown models, versions, prompts, experiments and endpoints; 405 for wrong methods", async () => {
    for (const model of [
      "no-such-model",
      "switchyard-demo@9",
      "switchyard-demo:9",
      "switchyard-demo@canary",
      "prompt:nope",
      "experiment:nope",
    ]) {
      const { log } = await expectError(await chat({ model }), 404, "not_found_error");
      expect(log).toMatchObject({ requestedModel: model, status: 404, errorCode: "NOT_FOUND" });
    }
    await expectError(await request("/v1/audio/speech", { body: {} }), 404, "not_found_error", false);
    await expectError(await request("/v1/chat/completions"), 405, "invalid_request_error", false);
  });
});

describe("engine and upstream failures", () => {
  it("answers 502 when the upstream fails and 503 when it is unreachable", async () => {
    const failed = await expectError(
      await chat({ model: "fake-gpt@production", messages: [{ role: "user", content: "fail" }] }),
      502,
      "api_error",
    );
    expect(failed.error.message).toContain("upstream exploded");
    expect(failed.log).toMatchObject({ status: 502, errorCode: "UPSTREAM", modelId: fixture.upstreamModelId });

    const version = await fixture.caller.models.createVersion({
      modelId: fixture.upstreamModelId,
      endpointBaseUrl: `http://127.0.0.1:${await closedPort()}/v1`,
      upstreamModelId: "fake-model",
    });
    const down = await expectError(await chat({ model: `fake-gpt@${version.version}` }), 503, "api_error");
    expect(down.error.message).toContain("unreachable");
  });

  it("answers 429 BUSY in OpenAI's shape while the engine is full, and frees the slot when the holder disconnects", async () => {
    const holder = await chat({ model: "switchyard-demo", stream: true });
    expect(holder.status).toBe(200);
    // The holder's stream is unread: its generation keeps the only slot.
    const busy = await expectError(await chat({ model: "switchyard-demo" }), 429, "rate_limit_error");
    expect(busy.log).toMatchObject({ status: 429, errorCode: "BUSY" });
    expect(busy.error.code).toBe("busy");

    await holder.body!.cancel();
    const closed = await sink.waitFor((e) => e.id === holder.headers.get("x-request-id"));
    expect(closed).toMatchObject({ status: 499, errorCode: "CLIENT_CLOSED", stream: true, deployment: "cpu" });
    expect(sink.byId(closed.id)).toHaveLength(1);
    expect((await chat({ model: "switchyard-demo" })).status).toBe(200);
  });

  it("aborts the upstream generation when the client disconnects mid-stream", async () => {
    const client = new AbortController();
    const response = await chat(
      { model: "fake-gpt@production", messages: [{ role: "user", content: "slow" }], stream: true },
      { signal: client.signal },
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("chat.completion.chunk");
    client.abort();
    await reader.cancel();
    expect(await fake.requests.at(-1)!.completed).toBe(false);
    const log = await sink.waitFor((e) => e.id === response.headers.get("x-request-id"));
    expect(log).toMatchObject({ status: 499, errorCode: "CLIENT_CLOSED" });
    expect(sink.byId(log.id)).toHaveLength(1);
  });

  it("answers an unexpected failure with a 500 that names the request and hides the details", async () => {
    const broken = new Proxy(db, {
      get(target, property) {
        if (property === "model") throw new Error("boom in /secret/path.ts:12");
        return Reflect.get(target, property);
      },
    });
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const brokenHandler = createGatewayHandler({ db: broken, sink, promptCache: null });
    const response = await brokenHandler(
      new Request(`${URL_BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${fixture.key}` },
        body: JSON.stringify({ model: "switchyard-demo", messages: [{ role: "user", content: "Hi" }] }),
      }),
    );
    quiet.mockRestore();
    const { error, log } = await expectError(response, 500, "api_error");
    expect(error.message).toBe(`Internal error (request ${response.headers.get("x-request-id")})`);
    expect(JSON.stringify(error)).not.toContain("secret");
    expect(log).toMatchObject({ status: 500, errorCode: "INTERNAL" });
  });
});
