/**
 * Per-key limits end to end: limits set through the API-keys procedures, two
 * gateway handlers (two "processes": own key caches, own usage recorders, own
 * database clients) sharing one Postgres, real HTTP for the SDK, a fake
 * upstream that reports 12 + 4 tokens at $1 / $2 per million (2e-5 USD).
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

describe("requests per minute", () => {
  it("is enforced across two processes and answers 429 rate_limited in OpenAI's shape with retry-after", async () => {
    const key = await limitedKey({ requestsPerMinute: 3 });
    const gw = twoProcesses();
    for (let i = 0; i < 3; i++) expect((await gw.models(key.key)).status).toBe(200);
    const refused = await gw.models(key.key);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
    const body = await refused.json();
    expect(body).toEqual({
      error: {
        message: expect.stringMatching(/may make 3 requests per minute; retry in \d+ s/),
        type: "rate_limit_error",
        code: "rate_limited",
        param: null,
      },
    });
    expect(sink.byId(refused.headers.get("x-request-id")!)).toMatchObject([
      { status: 429, errorCode: "RATE_LIMITED", apiKeyId: key.id },
    ]);
  });

  it("surfaces as the SDK's RateLimitError over real HTTP", async () => {
    const key = await limitedKey({ requestsPerMinute: 1 });
    const client = new OpenAI({ apiKey: key.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    await client.models.list();
    const error = await client.models.list().catch((e: unknown) => e);
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
  it("refuses once the window's tokens reach the limit (the crossing request is served), across processes", async () => {
    const key = await limitedKey({ tokensPerMinute: 20 });
    const gw = twoProcesses();
    expect((await gw.chat(key.key)).status).toBe(200); // 16 tokens
    await gw.flush();
    expect((await gw.chat(key.key)).status).toBe(200); // 16 < 20: served, and overshoots to 32
    await gw.flush();
    const refused = await gw.chat(key.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const { error } = await refused.json();
    expect(error.code).toBe("token_rate_limited");
    expect(error.type).toBe("rate_limit_error");
    expect(error.message).toMatch(/may use 20 tokens per minute and has used 3\d in the last minute/);
    const usage = (await fixture.caller.apiKeys.usage({})).find((u) => u.id === key.id)!;
    expect(usage.tokensPerMinute).toBeGreaterThanOrEqual(32);
    expect(usage.requestsPerMinute).toBeGreaterThanOrEqual(3);
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
    const now = (await fixture.caller.apiKeys.usage({})).find((u) => u.id === key.id)!;
    expect(now.tokensPerMinute).toBe(16);
    expect(now.spentUsd).toBeCloseTo(COST, 10);
  });
});

describe("budgets", () => {
  it("refuses with budget_exceeded once the period's spend reaches the budget, and resets in the next period", async () => {
    const key = await limitedKey({ budgetUsd: 0.00003, budgetPeriod: "day" });
    const gw = twoProcesses();
    expect((await gw.chat(key.key)).status).toBe(200); // $0.00002
    await gw.flush();
    expect((await gw.chat(key.key)).status).toBe(200); // 0.00002 < 0.00003: served, spend becomes 0.00004
    await gw.flush();
    const refused = await gw.chat(key.key);
    expect(refused.status).toBe(429);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    const { error } = await refused.json();
    expect(error).toMatchObject({ type: "rate_limit_error", code: "budget_exceeded" });
    expect(error.message).toBe(
      `Budget exhausted: this API key has spent $0.00004 of its $0.00003 budget per day (UTC); it resets at ${tomorrow.toISOString()}`,
    );
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(retryAfter - (tomorrow.getTime() - Date.now()) / 1000)).toBeLessThan(5);

    // The next period: yesterday's spend no longer counts.
    await db.$executeRaw`UPDATE gateway_spend_counters SET day = day - 1 WHERE api_key_id = ${key.id}::uuid`;
    expect((await gw.chat(key.key)).status).toBe(200);
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
    recorder.record("00000000-0000-4000-8000-000000000001", 10, 0.5);
    await expect(recorder.flush()).rejects.toThrow();
    expect(recorder.pendingKeys).toBe(1);
    await recorder.close().catch(() => {});
    await broken.$disconnect();
  });
});
