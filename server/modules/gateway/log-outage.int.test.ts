/**
 * The acceptance fault test: Postgres is stopped and started again while the
 * standalone gateway is under load. The gateway keeps answering (caches made
 * to expire during the outage, so API key and model version come from
 * stale-if-error),
 * the request-log writer buffers, and once Postgres is back every request has
 * exactly one row. A Postgres of our own (embedded, own port and data
 * directory), so stopping it disturbs no other test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb, type Db } from "@/server/db";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { freePort } from "@/server/testing/ports";
import type { StandaloneGateway } from "./standalone";
import { reply } from "./testing/chat-upstream";

// Short cache lifetimes, so the outage outlasts them: requests then live on stale-if-error alone.
process.env.SWITCHYARD_GATEWAY_TARGET_TTL_MS = "200";
// This test counts log rows, not limits: the limited key's outage allowance (faults/replicas.fault.test.ts tests
// it) must not refuse any of the load.
process.env.SWITCHYARD_KEY_LIMIT_OUTAGE_REQUESTS = "1000000";

const dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-gateway-outage-"));
let port: number;
let postgres: EmbeddedPostgresHandle | null = null;
let url: string;
let db: Db;
let upstream: FakeUpstream;
let writer: RequestLogWriter;
let gateway: StandaloneGateway;
let key: string;

const startPostgres = async () => {
  postgres = await startEmbeddedPostgres({ dataDir, port, database: "gateway_outage", fast: true });
  url = postgres.url;
};

beforeAll(async () => {
  port = await freePort();
  await startPostgres();
  await applyMigrations(url);
  db = createDb(url);
  upstream = await startFakeUpstream((req, res) =>
    reply(req, res, ["pong"], { usage: { prompt_tokens: 3, completion_tokens: 1 } }),
  );
  const { project, owner } = await makeProject(db, "Outage");
  const apiKey = await makeApiKey(db, project.id, ["gateway:invoke"]);
  key = apiKey.key;
  const caller = callerFor(db, owner.principal, project.id);
  // Limits are counted in Postgres: during the outage the key is served from the (here unbounded) outage allowance.
  await caller.apiKeys.updateLimits({ id: apiKey.row.id, requestsPerMinute: 1_000_000 });
  const model = await caller.models.create({ name: "echo", provider: "openai-compatible", task: "chat" });
  await caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${upstream.origin}/v1`,
    upstreamModelId: "fake",
  });
  writer = new RequestLogWriter({ connectionString: url, retryMinMs: 50, retryMaxMs: 400, log: () => {} });
  const { startStandaloneGateway } = await import("./standalone");
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: writer,
    keyCacheOptions: { ttlMs: 200 },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await writer?.close({ timeoutMs: 1_000 });
  await db?.$disconnect();
  await upstream?.close();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function countRows(): Promise<{ total: number; ok: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 200)::int AS ok FROM request_log",
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe("Postgres restarted while the gateway is under load", () => {
  it("keeps serving and logs exactly one row per request once Postgres is back", async () => {
    const statuses = new Map<number, number>();
    const requestIds = new Set<string>();
    let running = true;
    const send = async () => {
      const res = await fetch(`${gateway.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "ping" }] }),
      });
      await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      requestIds.add(res.headers.get("x-request-id") ?? "");
    };
    // Warm the caches (key, model version) while the database is up.
    await send();
    const clients = Array.from({ length: 8 }, async () => {
      while (running) await send();
    });

    const sentBefore = () => [...statuses.values()].reduce((a, b) => a + b, 0);
    while (sentBefore() < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    await postgres?.stop();
    postgres = null;
    const stoppedAt = sentBefore();
    // Serve a good number of requests with no database at all (the caches expire meanwhile), on however busy a
    // machine: wait for the count, bounded in time.
    const deadline = Date.now() + 20_000;
    while (sentBefore() - stoppedAt < 100 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const duringOutage = sentBefore() - stoppedAt;
    expect(writer.stats().failures).toBeGreaterThan(0);
    await startPostgres();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await Promise.all(clients);

    const total = sentBefore();
    expect(duringOutage).toBeGreaterThanOrEqual(100);
    expect(statuses.get(200)).toBe(total);
    expect(requestIds.size).toBe(total);

    await writer.flush({ timeoutMs: 30_000 });
    expect(writer.stats()).toMatchObject({ dropped: 0, buffered: 0, rejected: 0 });
    expect(await countRows()).toEqual({ total, ok: total });
  }, 90_000);
});
