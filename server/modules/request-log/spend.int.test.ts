// Spend by model version, API key and end user, and the dashboard's range
// suggestion, against a real Postgres with rows written by the real writer.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { spendOut } from "./schemas";
import { spend } from "./spend";
import { suggestRange } from "./suggest-range";
import { makeEntry } from "./testing";
import type { RequestLogEntry } from "./types";
import { RequestLogWriter } from "./writer";

const MINUTE = 60_000;
const HOUR = 3_600_000;
// Two whole hours that ended at least an hour ago, so the test never races the clock.
const start = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const end = start + 2 * HOUR;

let db: Db;
let url: string;
let pool: pg.Pool;
let projectId: string;
let otherProjectId: string;
let quietProjectId: string;
let keyA: string;
let keyB: string;
const modelX = randomUUID();
const modelY = randomUUID();

withTestDatabase(async (createdDb, createdUrl) => {
  db = createdDb;
  url = createdUrl;
  projectId = (await makeProject(db, "Spend")).project.id;
  otherProjectId = (await makeProject(db, "Other")).project.id;
  quietProjectId = (await makeProject(db, "Quiet")).project.id;
  keyA = (await makeApiKey(db, projectId)).row.id;
  keyB = (await makeApiKey(db, projectId)).row.id;
});

/** Costs chosen so that every sum is exact in binary floating point. */
const entries = (): RequestLogEntry[] => [
  // key A, model X, alice: 3 requests in the first hour, $0.25 each
  ...[5, 20, 35].map((m) =>
    makeEntry({
      projectId,
      apiKeyId: keyA,
      modelVersionId: modelX,
      userId: "alice",
      costUsd: 0.25,
      startedAt: new Date(start + m * MINUTE),
    }),
  ),
  // key B, model Y, bob: 2 requests in the second hour, $1 each
  ...[70, 100].map((m) =>
    makeEntry({
      projectId,
      apiKeyId: keyB,
      modelVersionId: modelY,
      userId: "bob",
      costUsd: 1,
      startedAt: new Date(start + m * MINUTE),
    }),
  ),
  // no key, model Y, no user: $0.5, the newest request
  makeEntry({
    projectId,
    apiKeyId: null,
    modelVersionId: modelY,
    userId: null,
    costUsd: 0.5,
    startedAt: new Date(start + 110 * MINUTE),
  }),
  // Another project's spend never shows.
  makeEntry({
    projectId: otherProjectId,
    apiKeyId: null,
    modelVersionId: modelX,
    userId: "alice",
    costUsd: 64,
    startedAt: new Date(start + 30 * MINUTE),
  }),
  // The quiet project: one minute of traffic, for the range suggestion.
  ...[0, 1, 2].map(() => makeEntry({ projectId: quietProjectId, startedAt: new Date(start + 7 * MINUTE) })),
];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
  const writer = new RequestLogWriter({ connectionString: url });
  for (const entry of entries()) writer.record(entry);
  await writer.flush();
  await writer.close();
});

afterAll(async () => {
  await pool.end();
});

const range = { from: new Date(start), to: new Date(end) };

describe("spend", () => {
  it("by API key: most spent first, named, with shares, totals and a per-step series that adds up", async () => {
    const result = await spend({ pool }, { projectId, ...range, by: "key" });
    expect(spendOut.parse(result)).toEqual(result);
    expect(result.source).toBe("minute");
    expect(result.totals).toEqual({ costUsd: 3.25, requests: 6, tokensIn: 60, tokensOut: 120 });
    expect(result.rows.map((row) => [row.key, row.costUsd, row.requests, row.share])).toEqual([
      [keyB, 2, 2, 2 / 3.25],
      [keyA, 0.75, 3, 0.75 / 3.25],
      [null, 0.5, 1, 0.5 / 3.25],
    ]);
    expect(result.rows[0].label).toMatch(/^test key \(/);
    expect(result.groups).toBe(3);
    expect(result.seriesKeys).toEqual([keyB, keyA, null]);
    const perSeries = result.seriesKeys.map((_, i) => result.points.reduce((sum, p) => sum + p.costs[i], 0));
    expect(perSeries).toEqual([2, 0.75, 0.5]);
    expect(result.points.reduce((sum, p) => sum + p.other, 0)).toBe(0);
    // Each point is one step; the request at minute 70 is in the step that starts there or before it.
    const at70 = result.points.find(
      (p) => p.t.getTime() <= start + 70 * MINUTE && p.t.getTime() + result.step * 1000 > start + 70 * MINUTE,
    );
    expect(at70?.costs[0]).toBe(1);
  });

  it("by model version from the hourly rollup, top 1 with the rest as 'other'", async () => {
    const result = await spend({ pool }, { projectId, ...range, by: "model", limit: 1, series: 1 });
    expect(result.rows.map((row) => [row.key, row.costUsd])).toEqual([[modelY, 2.5]]);
    expect(result.groups).toBe(2);
    expect(result.totals.costUsd).toBe(3.25);
    expect(result.points.reduce((sum, p) => sum + p.other, 0)).toBe(0.75);

    const hourly = await spend(
      { pool },
      { projectId, from: new Date(start - 5 * 86_400_000), to: range.to, by: "model" },
    );
    expect(hourly.source).toBe("hour");
    expect(hourly.rows.map((row) => [row.key, row.costUsd])).toEqual([
      [modelY, 2.5],
      [modelX, 0.75],
    ]);
  });

  it("by end user from raw rows; only the newest rows up to the cap, and says so", async () => {
    const result = await spend({ pool }, { projectId, ...range, by: "user" });
    expect(result.source).toBe("raw");
    expect(result.truncated).toBe(false);
    expect(result.rows.map((row) => [row.key, row.label, row.costUsd, row.requests])).toEqual([
      ["bob", "bob", 2, 2],
      ["alice", "alice", 0.75, 3],
      [null, null, 0.5, 1],
    ]);
    expect(result.points.reduce((sum, p) => sum + p.costs[1], 0)).toBe(0.75);

    const capped = await spend({ pool }, { projectId, ...range, by: "user" }, { maxRawRows: 3 });
    expect(capped.truncated).toBe(true);
    // The three newest: bob twice and the request without a user.
    expect(capped.rows.map((row) => [row.key, row.requests])).toEqual([
      ["bob", 2],
      [null, 1],
    ]);
    expect(capped.totals.requests).toBe(3);
  });

  it("is empty, not an error, for a range without traffic", async () => {
    const result = await spend(
      { pool },
      { projectId, from: new Date(end + HOUR), to: new Date(end + 2 * HOUR), by: "key" },
    );
    expect(result.rows).toEqual([]);
    expect(result.totals).toEqual({ costUsd: 0, requests: 0, tokensIn: 0, tokensOut: 0 });
    expect(result.points.every((p) => p.costs.length === 0 && p.other === 0)).toBe(true);
  });

  it("refuses a reversed range and an unknown dimension with the field named", async () => {
    await expect(spend({ pool }, { projectId, from: range.to, to: range.from, by: "key" })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["to"] })],
    });
    await expect(spend({ pool }, { projectId, ...range, by: "team" as "key" })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: ["by"] })],
    });
  });

  it("needs monitoring:read", async () => {
    const key = await makeApiKey(db, projectId, ["gateway:invoke"]);
    await expect(
      callerFor(db, key.principal, projectId).monitoring.spend({ ...range, by: "key" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("suggestRange", () => {
  const at = (ms: number) => suggestRange({ pool }, { projectId: quietProjectId, now: new Date(ms) });
  const burst = start + 7 * MINUTE;

  it("picks the shortest window holding the last day's traffic", async () => {
    expect((await at(burst + 5 * MINUTE)).range).toBe("15m");
    expect((await at(burst + 40 * MINUTE)).range).toBe("1h");
    expect((await at(burst + 3 * HOUR)).range).toBe("6h");
    expect((await at(burst + 20 * HOUR)).range).toBe("24h");
  });

  it("looks back a week or a month when the last day was quiet, and falls back to a day", async () => {
    expect((await at(burst + 3 * 24 * HOUR)).range).toBe("7d");
    const month = await at(burst + 20 * 24 * HOUR);
    expect(month.range).toBe("30d");
    expect(month.counts).toEqual({ "15m": 0, "1h": 0, "6h": 0, "24h": 0, "7d": 0, "30d": 3 });
    expect((await at(burst + 40 * 24 * HOUR)).range).toBe("24h");
  });

  it("counts only the caller's project", async () => {
    const result = await suggestRange({ pool }, { projectId: otherProjectId, now: new Date(start + 35 * MINUTE) });
    expect(result.counts["15m"]).toBe(1);
  });
});
