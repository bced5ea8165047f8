import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";

let db: Db;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase((created) => {
  db = created;
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

/** One gateway request as the log keeps it; the figures the view reads, the rest plain. */
function logged(projectId: string, modelId: string, versionId: string, row: Partial<Record<string, unknown>>) {
  return {
    id: randomUUID(),
    projectId,
    startedAt: new Date(Date.now() - 60_000),
    method: "POST",
    path: "/v1/chat/completions",
    requestedModel: "served",
    modelId,
    modelVersionId: versionId,
    status: 200,
    stream: true,
    latencyMs: 100,
    ttftMs: 50,
    tokensIn: 5,
    tokensOut: 11,
    costUsd: 0.001,
    cacheHit: false,
    ...row,
  };
}

beforeAll(async () => {
  fixture = await makeProject(db);
});

describe("compare models from the request log", () => {
  it("measures gateway traffic: requests, latency p50/p95, TTFT, tokens/s, cost per 1k out, error rate", async () => {
    const model = await owner().models.create({ name: "served", provider: "openai-compatible", task: "chat" });
    const version = await owner().models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "https://api.example.com/v1",
      upstreamModelId: "served",
    });
    const p = fixture.project.id;
    await db.requestLog.createMany({
      data: [
        // Ten good requests, 100..1000 ms, first token at 50 ms, 11 tokens out.
        ...Array.from({ length: 10 }, (_, i) => logged(p, model.id, version.id, { latencyMs: (i + 1) * 100 })),
        logged(p, model.id, version.id, { status: 502, errorCode: "UPSTREAM", tokensOut: 0, costUsd: 0 }),
        // Answered from the cache: never reached the model, so not measured.
        logged(p, model.id, version.id, { cacheHit: true, latencyMs: 1 }),
        // Older than the period.
        logged(p, model.id, version.id, { startedAt: new Date(Date.now() - 3 * 86_400_000) }),
      ],
    });

    const rows = await owner().models.selection({ sinceDays: 1 });
    const row = rows.find((r) => r.name === "served" && r.version === 1)!;
    expect(row).toMatchObject({ source: "gateway", requests: 11, runs: 0, errors: 1, capped: false });
    expect(row.errorRate).toBeCloseTo(1 / 11, 10);
    expect(row.latencyMsP50).toBeCloseTo(550, 6);
    expect(row.latencyMsP95).toBeCloseTo(955, 6);
    expect(row.ttftMsP50).toBe(50);
    // Per request, 10 tokens after the first over (latency - ttft); the median of ten is the mean of the middle two.
    expect(row.tokensPerSecondP50).toBeCloseTo((10_000 / 450 + 10_000 / 550) / 2, 6);
    expect(row.costPer1kOutputTokens).toBeCloseTo(((10 * 0.001) / 110) * 1000, 10);
    expect(row.lastRunAt).not.toBeNull();

    const longer = await owner().models.selection({ sinceDays: 7 });
    expect(longer.find((r) => r.name === "served")!.requests).toBe(12);
  });

  it("reports a version with no traffic as unmeasured, and never another project's requests", async () => {
    const other = await makeProject(db, "Other");
    const model = await callerFor(db, other.owner.principal, other.project.id).models.create({
      name: "quiet",
      provider: "anthropic",
      task: "chat",
    });
    await callerFor(db, other.owner.principal, other.project.id).models.createVersion({
      modelId: model.id,
      endpointBaseUrl: "https://api.example.com",
      upstreamModelId: "quiet",
    });
    const rows = await callerFor(db, other.owner.principal, other.project.id).models.selection({ sinceDays: 30 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "none", requests: 0, runs: 0, errorRate: null, latencyMsP50: null });
  });
});
