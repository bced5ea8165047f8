/** Per-key requests-per-minute limits shared by two gateway "replicas" through Postgres. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { createGatewayHandler, type GatewayDeps } from "./handler";
import { RATE_COUNTER_TABLE_SQL } from "./rate-limit";
import { type StandaloneGateway, startStandaloneGateway } from "./standalone";
import { MemorySink } from "./testing/memory-sink";

let db: Db;
let url: string;
let otherReplicaDb: Db;
let limited: { key: string; id: string };
let unlimited: string;
let gateway: StandaloneGateway;
const sink = new MemorySink();
withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  await db.$executeRawUnsafe(RATE_COUNTER_TABLE_SQL);
});

const LIMIT = 3;
let deps: Omit<GatewayDeps, "db">;

beforeAll(async () => {
  const { project } = await makeProject(db);
  const key = await makeApiKey(db, project.id, ["gateway:invoke"]);
  limited = { key: key.key, id: key.row.id };
  unlimited = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
  deps = {
    sink,
    promptCache: null,
    rateLimit: { requestsPerMinute: (principal) => (principal.keyId === limited.id ? LIMIT : null) },
  };
  otherReplicaDb = createDb(url);
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, ...deps });
});
afterAll(async () => {
  await gateway?.close();
  await otherReplicaDb?.$disconnect();
});

describe("rate limits", () => {
  it("counts across replicas and answers 429 in OpenAI's shape with retry-after", async () => {
    const replicas = [createGatewayHandler({ db, ...deps }), createGatewayHandler({ db: otherReplicaDb, ...deps })];
    const call = (i: number, key: string) =>
      replicas[i % 2](new Request("http://gw.test/v1/models", { headers: { authorization: `Bearer ${key}` } }));
    for (let i = 0; i < LIMIT; i++) expect((await call(i, limited.key)).status).toBe(200);
    const refused = await call(LIMIT, limited.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringContaining(`${LIMIT} requests per minute`),
        type: "rate_limit_error",
        code: "rate_limited",
        param: null,
      },
    });
    const log = sink.byId(refused.headers.get("x-request-id")!);
    expect(log).toMatchObject([{ status: 429, errorCode: "RATE_LIMITED", apiKeyId: limited.id }]);
    for (let i = 0; i < LIMIT + 2; i++) expect((await call(i, unlimited)).status).toBe(200);
  });

  it("surfaces as the SDK's RateLimitError", async () => {
    const client = new OpenAI({ apiKey: limited.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    await expect(client.models.list()).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});
