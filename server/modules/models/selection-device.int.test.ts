/**
 * "Compare models" measures gateway traffic to a local model with its device: a real chat request over HTTP to
 * the standalone gateway runs the demo model in-process, the request-log writer stores its row (device column
 * included), and the selection view reports the figures with device `cpu`, next to a playground run of the same
 * version, each counted once.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { getInferenceEngine } from "@/server/modules/inference/engine";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-selection-device-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let url: string;
let gateway: StandaloneGateway;
let writer: RequestLogWriter;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

beforeAll(async () => {
  // No upstream is called here: the fixture's upstream model only needs an origin.
  fixture = await gatewayFixture(db, "http://127.0.0.1:9");
  writer = new RequestLogWriter({ connectionString: url, flushIntervalMs: 20, log: () => {} });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink: writer, promptCache: null });
});
afterAll(async () => {
  await gateway?.close();
  await writer?.close({ timeoutMs: 2_000 });
  await getInferenceEngine().close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("compare models, gateway traffic to a local model", () => {
  it("measures a gateway chat request with the device that ran it", async () => {
    const response = await fetch(`${gateway.origin}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fixture.key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "switchyard-demo",
        messages: [{ role: "user", content: "Hello" }],
        max_tokens: 6,
      }),
    });
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.usage.completion_tokens).toBeGreaterThan(0);
    await writer.flush();

    const [row] = await db.requestLog.findMany({ where: { projectId: fixture.project.id } });
    expect(row).toMatchObject({ device: "cpu", status: 200 });

    const before = await fixture.caller.models.selection({ sinceDays: 1 });
    const demo = before.find((r) => r.name === "switchyard-demo" && r.version === 1)!;
    expect(demo).toMatchObject({ source: "gateway", requests: 1, runs: 0, errors: 0, device: "cpu" });
    expect(demo.tokensPerSecondP50).toBeGreaterThan(0);
    expect(demo.latencyMsP50).toBeGreaterThan(0);

    // A run recorded as the gateway's is the request log's to count: it adds nothing; a playground run adds one.
    const version = await db.modelVersion.findFirstOrThrow({ where: { modelId: demo.modelId, version: 1 } });
    const run = {
      projectId: fixture.project.id,
      modelVersionId: version.id,
      device: "cpu",
      ttftMs: 5,
      tpotMs: 1,
      tokensPerSecond: 100,
      durationMs: 20,
      tokensIn: 3,
      tokensOut: 6,
      costUsd: 0,
      finishReason: "length",
    };
    await db.inferenceRun.createMany({
      data: [
        { ...run, source: "gateway" },
        { ...run, source: "playground" },
      ],
    });
    const after = (await fixture.caller.models.selection({ sinceDays: 1 })).find(
      (r) => r.name === "switchyard-demo" && r.version === 1,
    )!;
    expect(after).toMatchObject({ source: "both", requests: 1, runs: 1, device: "cpu" });
  });
});
