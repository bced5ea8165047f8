// The explorer's filters against real rows: each one narrows to exactly the rows it names, text search reads the
// stored bodies (as JSON text) and stays inside the project and the time range, and bad ranges are refused.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTestDatabase } from "@/server/testing/db";
import { makeProject } from "@/server/testing/factories";
import { searchRequests } from "./explorer";
import { makeEntry } from "./testing";
import type { RequestLogEntry } from "./types";
import { RequestLogWriter } from "./writer";

let pool: pg.Pool;
let url: string;
let projectId: string;
let otherProjectId: string;
const rows: Record<string, RequestLogEntry> = {};
const t0 = Date.now() - 3_600_000;

withTestDatabase(async (db, createdUrl) => {
  url = createdUrl;
  projectId = (await makeProject(db)).project.id;
  otherProjectId = (await makeProject(db, "Other")).project.id;
});

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
  const at = (s: number) => new Date(t0 + s * 1000);
  const modelVersionId = randomUUID();
  Object.assign(rows, {
    slowCheap: makeEntry({ projectId, startedAt: at(1), latencyMs: 2500, costUsd: 0.001, userId: "ann" }),
    fastDear: makeEntry({ projectId, startedAt: at(2), latencyMs: 50, costUsd: 0.2, modelVersionId }),
    blocked: makeEntry({
      projectId,
      startedAt: at(3),
      status: 400,
      errorCode: "GUARDRAIL_BLOCKED",
      errorMessage: "Blocked by rule secrets",
      guardrails: [{ stage: "input", rule: "blocklist", action: "block" }],
    }),
    masked: makeEntry({
      projectId,
      startedAt: at(4),
      guardrails: [{ stage: "input", rule: "pii", action: "mask", count: 1 }],
      requestedModel: "support-bot@staging",
    }),
    withBody: makeEntry({
      projectId,
      startedAt: at(5),
      requestBody: { messages: [{ role: "user", content: 'Where is "order 100%_done"?' }] },
      responseBody: { choices: [{ message: { content: "It shipped on Tuesday" } }] },
      toolNames: ["lookup_order"],
    }),
    // Same words, another project: never found from this one.
    otherProject: makeEntry({
      projectId: otherProjectId,
      startedAt: at(6),
      responseBody: { choices: [{ message: { content: "It shipped on Tuesday" } }] },
    }),
  });
  const writer = new RequestLogWriter({ connectionString: url });
  for (const row of Object.values(rows)) writer.record(row);
  await writer.close();
});

afterAll(async () => {
  await pool.end();
});

const range = () => ({ projectId, from: new Date(t0), to: new Date(t0 + 60_000) });
const ids = async (filters: Record<string, unknown>) =>
  (await searchRequests({ pool }, { ...range(), ...filters })).items.map((r) => r.id).sort();
const idsOf = (...names: string[]) => names.map((n) => rows[n].id).sort();

describe("explorer filters", () => {
  it("latency and cost ranges are inclusive bounds", async () => {
    expect(await ids({ minLatencyMs: 1000 })).toEqual(idsOf("slowCheap"));
    expect(await ids({ maxLatencyMs: 50 })).toEqual(idsOf("fastDear"));
    expect(await ids({ minCostUsd: 0.1, maxCostUsd: 0.2 })).toEqual(idsOf("fastDear"));
  });

  it("guardrail: any action, none, or one action", async () => {
    expect(await ids({ guardrail: "any" })).toEqual(idsOf("blocked", "masked"));
    expect(await ids({ guardrail: "block" })).toEqual(idsOf("blocked"));
    expect(await ids({ guardrail: "mask" })).toEqual(idsOf("masked"));
    expect(await ids({ guardrail: "none" })).toEqual(idsOf("slowCheap", "fastDear", "withBody"));
  });

  it("user, requested model, model version and tool", async () => {
    expect(await ids({ user: "ann" })).toEqual(idsOf("slowCheap"));
    expect(await ids({ requestedModel: "support-bot@staging" })).toEqual(idsOf("masked"));
    expect(await ids({ model: rows.fastDear.modelVersionId })).toEqual(idsOf("fastDear"));
    expect(await ids({ tool: "lookup_order" })).toEqual(idsOf("withBody"));
  });

  it("text search reads the stored bodies and the error message, case-insensitively, quotes and % literal", async () => {
    expect(await ids({ q: "shipped on tuesday" })).toEqual(idsOf("withBody"));
    expect(await ids({ q: '"order 100%_done"' })).toEqual(idsOf("withBody"));
    expect(await ids({ q: "100%" })).toEqual(idsOf("withBody"));
    expect(await ids({ q: "rule secrets" })).toEqual(idsOf("blocked"));
    expect(await ids({ q: "%" + "_" })).toEqual(idsOf("withBody"));
    expect(await ids({ q: "nowhere to be found" })).toEqual([]);
  });

  it("combines filters with AND", async () => {
    expect(await ids({ status: "error", guardrail: "block", q: "secrets" })).toEqual(idsOf("blocked"));
    expect(await ids({ status: "ok", guardrail: "block" })).toEqual([]);
  });

  it("refuses reversed bounds and a text search over more than 31 days, naming the field", async () => {
    await expect(searchRequests({ pool }, { ...range(), minLatencyMs: 10, maxLatencyMs: 5 })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["maxLatencyMs"] })],
    });
    await expect(searchRequests({ pool }, { ...range(), minCostUsd: -1 })).rejects.toThrow(/0 or more/);
    const to = new Date();
    await expect(
      searchRequests({ pool }, { projectId, from: new Date(to.getTime() - 40 * 86_400_000), to, q: "hello" }),
    ).rejects.toThrow(/at most 31 days/);
    // Without text search a long range is fine (the index bounds it).
    await expect(
      searchRequests({ pool }, { projectId, from: new Date(to.getTime() - 40 * 86_400_000), to }),
    ).resolves.toBeTruthy();
  });

  it("a search that runs past the statement timeout is stopped with a 422, not a 500", async () => {
    const { boundedQuery } = await import("./statement-timeout");
    await expect(boundedQuery(pool, 50, "SELECT pg_sleep(2)", [])).rejects.toMatchObject({ code: "UNPROCESSABLE" });
    // The connection went back to the pool in a usable state.
    const { rows: ok } = await pool.query("SELECT 1 AS one");
    expect(ok[0].one).toBe(1);
  });
});
