/**
 * Per-key limits end to end: limits set through the API-keys procedures, two
 * gateway handlers (two "processes": own key caches, own usage recorders, own
 * database clients) sharing one Postgres, real HTTP for the SDK, a fake
 * upstream that reports 12 + 4 tokens at $1 / $2 per million (2e-5 USD), and a
 * slower one (`metered`) that reports 5 + 10 tokens, priced on output only.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { createGatewayHandler, type GatewayDeps, type GatewayHandler } from "./handler";
import { type KeyLimitError, KeyLimiter } from "./key-limits";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";
import { gatewayFixture } from "./testing/fixtures";
import { MemorySink } from "./testing/memory-sink";

process.env.SWITCHYARD_DATA_DIR = await mkdtemp(path.join(tmpdir(), "switchyard-key-limits-"));
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let url: string;
let otherDb: Db;
let fake: FakeUpstream;
let slow: FakeUpstream;
let gateway: StandaloneGateway;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
const sink = new MemorySink();
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

const COST = (12 * 1 + 4 * 2) / 1e6;

beforeAll(async () => {
  fake = await startFakeUpstream((req, res) =>
    reply(req, res, ["Hello"], { usage: { prompt_tokens: 12, completion_tokens: 4 } }),
  );
  fixture = await gatewayFixture(db, fake.origin);
  // Holds each answer a moment, so a burst's requests are all in flight together.
  slow = await startFakeUpstream(async (req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    reply(req, res, ["Hi"], { usage: { prompt_tokens: 5, completion_tokens: 10 } });
  });
  // $3 per million output tokens, max_tokens 10: every request reserves and costs exactly $0.00003.
  const metered = await fixture.caller.models.create({
    name: "metered",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 0,
    priceOutputPerMTok: 3,
  });
  await fixture.caller.models.createVersion({
    modelId: metered.id,
    endpointBaseUrl: `${slow.origin}/v1`,
    upstreamModelId: "fake-model",
    defaultParams: { maxTokens: 10 },
  });
  otherDb = createDb(url);
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink,
    promptCache: null,
    keyUsage: recorder(db),
  });
});
/** Every recorder a test made, closed (flushed) before the database goes. */
const recorders: KeyUsageRecorder[] = [];
const recorder = (on: Db) => {
  const made = new KeyUsageRecorder(on);
  recorders.push(made);
  return made;
};

afterAll(async () => {
  await Promise.all(recorders.map((r) => r.close()));
  await gateway?.close();
  await fake?.close();
  await slow?.close();
  await otherDb?.$disconnect();
});

/** Two gateway processes over one database; `flush()` writes both processes' pending usage. */
function twoProcesses(extra: Partial<GatewayDeps> = {}) {
  const own = [recorder(db), recorder(otherDb)];
  const handlers: GatewayHandler[] = [
    createGatewayHandler({ db, sink, promptCache: null, keyUsage: own[0], ...extra }),
    createGatewayHandler({ db: otherDb, sink, promptCache: null, keyUsage: own[1], ...extra }),
  ];
  let turn = 0;
  return {
    /** Alternates between the processes. */
    chat: (key: string, body: Record<string, unknown> = {}) =>
      handlers[turn++ % 2](
        new Request("http://gw.test/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "hi" }], ...body }),
        }),
      ),
    models: (key: string) =>
      handlers[turn++ % 2](new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${key}` } })),
    flush: () => Promise.all(own.map((r) => r.flush())),
  };
}

async function limitedKey(limits: Record<string, unknown>) {
  return fixture.caller.apiKeys.create({ name: `limited-${Math.random()}`, scopes: ["gateway:invoke"], ...limits });
}

const counterRows = async (keyId: string) =>
  Number(
    (
      await db.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM gateway_rate_counters WHERE api_key_id = ${keyId}::uuid`
    )[0].n,
  );

/** This key's minute rows: requests and tokens per UTC minute. */
const minuteRows = (keyId: string) =>
  db.$queryRaw<{ requests: number; tokens: number }[]>`
    SELECT requests, tokens::float8 AS tokens FROM gateway_rate_counters WHERE api_key_id = ${keyId}::uuid`;

const spentToday = async (keyId: string) =>
  Number(
    (
      await db.$queryRaw<{ spent: number }[]>`
        SELECT COALESCE(SUM(cost_usd), 0)::float8 AS spent FROM gateway_spend_counters WHERE api_key_id = ${keyId}::uuid`
    )[0].spent,
  );

/** `n` requests at once, alternating between the processes; the answers with their usage. */
async function burst(gw: ReturnType<typeof twoProcesses>, key: string, n: number, body: Record<string, unknown>) {
  const answers = await Promise.all(Array.from({ length: n }, () => gw.chat(key, body)));
  return Promise.all(
    answers.map(async (res) => {
      const json = await res.json();
      return { status: res.status, retryAfter: res.headers.get("retry-after"), json };
    }),
  );
}

describe("requests per minute", () => {
  it("is enforced across two processes and answers 429 rate_limited in OpenAI's shape with retry-after", async () => {
    const key = await limitedKey({ requestsPerMinute: 3 });
    const gw = twoProcesses();
    // Until refused: a UTC minute ending mid-test opens a fresh window (at most twice the limit in two windows).
    const statuses: number[] = [];
    let refused: Response | null = null;
    while (!refused && statuses.length < 7) {
      const res = await gw.models(key.key);
      statuses.push(res.status);
      if (res.status === 429) refused = res;
    }
    expect(refused).not.toBeNull();
    const retryAfter = Number(refused!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // A fixed UTC minute: the slot frees when the minute ends, never later.
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await refused!.json();
    expect(body).toEqual({
      error: {
        message: expect.stringMatching(/may make 3 requests per minute \(UTC minute\) and has made 3; retry in \d+ s/),
        type: "rate_limit_error",
        code: "rate_limited",
        param: null,
      },
    });
    expect(body.error.message).toContain(`retry in ${retryAfter} s`);
    expect(sink.byId(refused!.headers.get("x-request-id")!)).toMatchObject([
      { status: 429, errorCode: "RATE_LIMITED", apiKeyId: key.id },
    ]);
  });

  it("counts what was served, not what was refused", async () => {
    const key = await limitedKey({ requestsPerMinute: 3 });
    const gw = twoProcesses();
    let served = 0;
    let refused = 0;
    for (let i = 0; i < 9; i++) (await gw.models(key.key)).status === 200 ? served++ : refused++;
    expect(refused).toBeGreaterThan(0);
    const rows = await minuteRows(key.id);
    // Every minute row holds at most the limit, and together exactly what was served (refusals add nothing).
    for (const row of rows) expect(row.requests).toBeLessThanOrEqual(3);
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(served);
    const usage = (await fixture.caller.apiKeys.usage({})).find((u) => u.id === key.id)!;
    expect(usage.requestsPerMinute).toBeLessThanOrEqual(3);
  });

  it("surfaces as the SDK's RateLimitError over real HTTP", async () => {
    const key = await limitedKey({ requestsPerMinute: 1 });
    const client = new OpenAI({ apiKey: key.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    let error: unknown = null;
    for (let i = 0; i < 3 && !error; i++)
      error = await client.models.list().then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("rate_limited");
    expect(Number((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after"))).toBeGreaterThan(
      0,
    );
  });

  it("leaves keys without limits alone: never refused, nothing counted", async () => {
    const gw = twoProcesses();
    const unlimited = await limitedKey({});
    for (let i = 0; i < 8; i++) expect((await gw.models(unlimited.key)).status).toBe(200);
    expect((await gw.chat(unlimited.key)).status).toBe(200);
    await gw.flush();
    expect(await counterRows(unlimited.id)).toBe(0);
    const spend = await db.$queryRaw<
      unknown[]
    >`SELECT 1 FROM gateway_spend_counters WHERE api_key_id = ${unlimited.id}::uuid`;
    expect(spend).toHaveLength(0);
  });
});

describe("tokens per minute", () => {
  it("holds under 50 concurrent requests across two processes: requests in flight reserve their tokens", async () => {
    const key = await limitedKey({ tokensPerMinute: 300 });
    const gw = twoProcesses();
    // Each reserves ~8 input + 10 output tokens and uses 15.
    const answers = await burst(gw, key.key, 50, { model: "metered" });
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(served.length + refused.length).toBe(50);
    expect(refused.length).toBeGreaterThan(0);
    const servedTokens = served.reduce((sum, a) => sum + a.json.usage.total_tokens, 0);
    await gw.flush();
    const rows = await minuteRows(key.id);
    // Settled: the counters hold what was served, and no UTC minute went past the limit.
    expect(rows.reduce((sum, row) => sum + row.tokens, 0)).toBe(servedTokens);
    for (const row of rows) expect(row.tokens).toBeLessThanOrEqual(300);
    expect(servedTokens).toBeLessThanOrEqual(300 * rows.length);
    const { error } = refused[0].json;
    expect(error).toMatchObject({ type: "rate_limit_error", code: "token_rate_limited" });
    expect(error.message).toMatch(/may use 300 tokens per minute \(UTC minute\)/);
    expect(Number(refused[0].retryAfter)).toBeLessThanOrEqual(60);
  });

  it("releases the reservation of a call that failed", async () => {
    const key = await limitedKey({ tokensPerMinute: 1000, budgetUsd: 1, budgetPeriod: "day" });
    const broken = await fixture.caller.models.create({
      name: `down-${Math.random().toString(36).slice(2, 8)}`,
      provider: "openai-compatible",
      task: "chat",
      priceInputPerMTok: 1,
      priceOutputPerMTok: 1,
    });
    // Nothing listens on port 1: the call fails after the reservation.
    await fixture.caller.models.createVersion({
      modelId: broken.id,
      endpointBaseUrl: "http://127.0.0.1:1/v1",
      upstreamModelId: "nothing",
      defaultParams: { maxTokens: 500 },
    });
    const gw = twoProcesses();
    const res = await gw.chat(key.key, { model: broken.name });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await gw.flush();
    const rows = await minuteRows(key.id);
    expect(rows.reduce((sum, row) => sum + row.tokens, 0)).toBe(0);
    expect(rows.reduce((sum, row) => sum + row.requests, 0)).toBe(1);
    expect(await spentToday(key.id)).toBe(0);
  });

  it("does not count cache hits", async () => {
    const key = await limitedKey({ tokensPerMinute: 1000, budgetUsd: 1, budgetPeriod: "day" });
    const usage = recorder(db);
    const cached = createGatewayHandler({ db, sink, promptCache: null, keyUsage: usage });
    const ask = () =>
      cached(
        new Request("http://gw.test/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "fake-gpt", temperature: 0, messages: [{ role: "user", content: "same" }] }),
        }),
      );
    expect((await ask()).headers.get("x-switchyard-cache")).toBe("miss");
    expect((await ask()).headers.get("x-switchyard-cache")).toBe("hit");
    await usage.flush();
    const rows = await minuteRows(key.id);
    expect(rows.reduce((sum, row) => sum + row.tokens, 0)).toBe(16);
    expect(await spentToday(key.id)).toBeCloseTo(COST, 10);
  });
});

describe("budgets", () => {
  it("holds a $0.001 budget under 50 concurrent requests across two processes", async () => {
    const key = await limitedKey({ budgetUsd: 0.001, budgetPeriod: "day" });
    const gw = twoProcesses();
    // Each request reserves and costs exactly $0.00003: 33 fit in $0.001, the 34th would not.
    const answers = await burst(gw, key.key, 50, { model: "metered" });
    const served = answers.filter((a) => a.status === 200);
    expect(served).toHaveLength(33);
    await gw.flush();
    expect(await spentToday(key.id)).toBeCloseTo(33 * 0.00003, 10);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.json.error).toMatchObject({ type: "rate_limit_error", code: "budget_exceeded" });
    expect(refused.json.error.message).toMatch(/of its \$0\.001 budget per day \(UTC\)/);
  });

  it("refuses with budget_exceeded once the period's spend reaches the budget, and resets in the next period", async () => {
    const key = await limitedKey({ budgetUsd: 0.00006, budgetPeriod: "day" });
    const gw = twoProcesses();
    expect((await gw.chat(key.key, { model: "metered" })).status).toBe(200); // $0.00003
    await gw.flush();
    expect((await gw.chat(key.key, { model: "metered" })).status).toBe(200); // $0.00006: exactly the budget
    await gw.flush();
    const refused = await gw.chat(key.key, { model: "metered" });
    expect(refused.status).toBe(429);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    const { error } = await refused.json();
    expect(error).toMatchObject({ type: "rate_limit_error", code: "budget_exceeded" });
    expect(error.message).toBe(
      `Budget exhausted: this API key has spent $0.00006 of its $0.00006 budget per day (UTC); it resets at ${tomorrow.toISOString()}`,
    );
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - (tomorrow.getTime() - Date.now()) / 1000)).toBeLessThan(5);

    // The next period: yesterday's spend no longer counts.
    await db.$executeRaw`UPDATE gateway_spend_counters SET day = day - 1 WHERE api_key_id = ${key.id}::uuid`;
    expect((await gw.chat(key.key, { model: "metered" })).status).toBe(200);
  });

  it("sums a monthly budget over the month's days only", async () => {
    const key = await limitedKey({ budgetUsd: 5, budgetPeriod: "month" });
    const gw = twoProcesses();
    // Spend from last month does not count; spend from earlier this month does.
    await db.$executeRaw`INSERT INTO gateway_spend_counters (api_key_id, day, cost_usd)
      VALUES (${key.id}::uuid, (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 day')::date, 100)`;
    expect((await gw.chat(key.key)).status).toBe(200);
    await db.$executeRaw`INSERT INTO gateway_spend_counters (api_key_id, day, cost_usd)
      VALUES (${key.id}::uuid, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 5)
      ON CONFLICT (api_key_id, day) DO UPDATE SET cost_usd = gateway_spend_counters.cost_usd + 5`;
    const refused = await gw.chat(key.key);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.message).toMatch(/of its \$5\.00 budget per month \(UTC\)/);
  });
});

describe("while the counters cannot be read", () => {
  it("serves a limited key at most the outage allowance per minute on each replica, then counts it", async () => {
    const down = createDb("postgresql://postgres@127.0.0.1:1/nothing");
    const usage = new KeyUsageRecorder(down, { intervalMs: 60_000 });
    const limiter = new KeyLimiter(down, usage, 4, () => 30_000);
    const limits = { requestsPerMinute: null, tokensPerMinute: null, budgetUsd: 0.001, budgetPeriod: "day" as const };
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        limiter.reserve("00000000-0000-4000-8000-000000000001", limits, { tokens: 10, costUsd: 0.01 }).then(
          () => "served",
          (error: KeyLimitError) => `${error.code} ${error.retryAfterSeconds}`,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === "served")).toHaveLength(4);
    // The local minute (30 s in) frees a slot in 30 s.
    expect(outcomes.filter((o) => o === "RATE_LIMITED 30")).toHaveLength(6);
    await down.$disconnect();
  });
});

describe("limit changes", () => {
  it("reach the gateway when the key cache entry expires", async () => {
    const key = await limitedKey({});
    let now = 0;
    const handler = createGatewayHandler({
      db,
      sink,
      promptCache: null,
      keyUsage: recorder(db),
      keyCacheOptions: { ttlMs: 15_000, clock: () => now },
    });
    const call = () =>
      handler(new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${key.key}` } }));
    expect((await call()).status).toBe(200);
    await fixture.caller.apiKeys.updateLimits({ id: key.id, requestsPerMinute: 1 });
    expect((await call()).status).toBe(200); // still the cached, unlimited principal
    now += 15_001;
    expect((await call()).status).toBe(200); // the first counted request
    expect((await call()).status).toBe(429);
  });
});

describe("usage recorder", () => {
  it("keeps the sums when the database refuses them", async () => {
    const broken = createDb("postgresql://postgres@127.0.0.1:1/nothing");
    const recorder = new KeyUsageRecorder(broken, { intervalMs: 60_000 });
    recorder.record({
      keyId: "00000000-0000-4000-8000-000000000001",
      minute: null,
      day: null,
      tokens: 10,
      costUsd: 0.5,
    });
    await expect(recorder.flush()).rejects.toThrow();
    expect(recorder.pendingKeys).toBe(1);
    await recorder.close().catch(() => {});
    await broken.$disconnect();
  });
});
