// The writer against a real Postgres: exactly-once batches, rollups equal to
// the raw rows, percentiles within one bucket, dashboards, explorer, /metrics.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/random";
import { DomainError } from "@/server/errors";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { breakdown, overview } from "./dashboards";
import { getRequest, searchRequests } from "./explorer";
import { bucketIndex, HISTOGRAM_SIZE } from "./histogram";
import { NIL_UUID } from "./ingest";
import { renderPrometheus } from "./prometheus";
import { breakdownOut, overviewOut, requestEntryOut, requestPageOut } from "./schemas";
import { makeEntry, makeTraffic, makeTrafficShape } from "./testing";
import type { RequestLogEntry } from "./types";
import { RequestLogWriter } from "./writer";

let pool: pg.Pool;
let url: string;
let projectId: string;
let keyId: string;
let traffic: RequestLogEntry[];
let writer: RequestLogWriter;
const writers: RequestLogWriter[] = [];

const HOUR = 3_600_000;
const MINUTE = 60_000;
// The three whole hours before the current one.
const end = Math.floor(Date.now() / HOUR) * HOUR;
const start = end - 3 * HOUR;

withTestDatabase(async (db, createdUrl) => {
  url = createdUrl;
  const fixture = await makeProject(db);
  projectId = fixture.project.id;
  keyId = (await makeApiKey(db, projectId)).row.id;
});

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
  const random = seededRandom(42);
  const shape = makeTrafficShape(random);
  shape.projectIds[0] = projectId;
  shape.apiKeyIds[0] = keyId;
  traffic = makeTraffic(6000, shape, random, () => new Date(start + Math.floor(random() * (end - start))));
  traffic[0] = { ...traffic[0], projectId, requestBody: { messages: [{ role: "user", content: "hi\u0000" }] } };
  traffic[0].responseBody = { choices: [{ message: { content: "hello" } }] };
  writer = new RequestLogWriter({ connectionString: url, batchSize: 500 });
  writers.push(writer);
  for (const entry of traffic) writer.record(entry);
  await writer.flush();
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.close()));
  await pool.end();
});

interface RawRow {
  id: string;
  project_id: string;
  started_at: Date;
  model_version_id: string | null;
  prompt_version_id: string | null;
  variant_id: string | null;
  api_key_id: string | null;
  status: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  cache_hit: boolean;
  latency_ms: number;
  ttft_ms: number | null;
}

async function rawRows(where = "TRUE", params: unknown[] = []): Promise<RawRow[]> {
  // ::float8 gives the exact stored value of the real column, as width_bucket saw it.
  const { rows } = await pool.query<RawRow>(
    `SELECT id, project_id, started_at, model_version_id, prompt_version_id, variant_id, api_key_id, status,
       tokens_in, tokens_out, cost_usd, cache_hit, latency_ms::float8 AS latency_ms, ttft_ms::float8 AS ttft_ms
     FROM request_log WHERE ${where}`,
    params,
  );
  return rows;
}

describe("writing", () => {
  it("stores every recorded entry exactly once", async () => {
    const { rows } = await pool.query("SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM request_log");
    expect(rows[0]).toEqual({ n: 6000, ids: 6000 });
    expect(writer.stats()).toMatchObject({ written: 6000, dropped: 0, rejected: 0, duplicates: 0, buffered: 0 });
    expect(writer.stats().batches).toBeGreaterThanOrEqual(12);
  });

  it("ignores a batch written again, in the raw table and in the rollups", async () => {
    const before = await pool.query("SELECT sum(requests)::int AS n, sum(tokens_in)::int AS t FROM request_log_hour");
    const again = new RequestLogWriter({ connectionString: url });
    writers.push(again);
    for (const entry of traffic.slice(0, 500)) again.record(entry);
    await again.flush();
    expect(again.stats()).toMatchObject({ written: 500, duplicates: 500 });
    const after = await pool.query("SELECT sum(requests)::int AS n, sum(tokens_in)::int AS t FROM request_log_hour");
    expect(after.rows[0]).toEqual(before.rows[0]);
    const count = await pool.query("SELECT count(*)::int AS n FROM request_log");
    expect(count.rows[0].n).toBe(6000);
  });

  it("stores bodies as JSON, NUL characters replaced", async () => {
    const entry = await getRequest({ pool }, { projectId, id: traffic[0].id });
    expect(entry.requestBody).toEqual({ messages: [{ role: "user", content: "hi\uFFFD" }] });
    expect(entry.responseBody).toEqual({ choices: [{ message: { content: "hello" } }] });
    expect(entry.startedAt.getTime()).toBe(traffic[0].startedAt.getTime());
    // What monitoring.request declares as its output.
    expect(requestEntryOut.parse(entry)).toEqual(entry);
  });
});

describe("rollups", () => {
  const DIMENSIONS = {
    total: () => null,
    model: (row: RawRow) => row.model_version_id,
    prompt: (row: RawRow) => row.prompt_version_id,
    variant: (row: RawRow) => row.variant_id,
    key: (row: RawRow) => row.api_key_id,
  };

  it.each([
    { table: "request_log_minute", grain: MINUTE },
    { table: "request_log_hour", grain: HOUR },
  ])("$table equals aggregates computed from the raw rows, for every dimension", async ({ table, grain }) => {
    const expected = new Map<string, Record<string, number | number[]>>();
    for (const row of await rawRows()) {
      const bucket = Math.floor(row.started_at.getTime() / grain) * grain;
      for (const [dimension, idOf] of Object.entries(DIMENSIONS)) {
        const key = [row.project_id, dimension, bucket, idOf(row) ?? NIL_UUID].join("|");
        let sums = expected.get(key);
        if (!sums) {
          sums = {
            requests: 0,
            client_errors: 0,
            server_errors: 0,
            tokens_in: 0,
            tokens_out: 0,
            cost_usd: 0,
            cache_hits: 0,
            latency_sum_ms: 0,
            latency_max_ms: 0,
            latency_hist: new Array(HISTOGRAM_SIZE).fill(0),
            ttft_hist: new Array(HISTOGRAM_SIZE).fill(0),
          };
          expected.set(key, sums);
        }
        const add = (field: string, value: number) => {
          (sums as Record<string, number>)[field] += value;
        };
        add("requests", 1);
        add("client_errors", row.status >= 400 && row.status < 500 ? 1 : 0);
        add("server_errors", row.status >= 500 ? 1 : 0);
        add("tokens_in", row.tokens_in);
        add("tokens_out", row.tokens_out);
        add("cost_usd", row.cost_usd);
        add("cache_hits", row.cache_hit ? 1 : 0);
        add("latency_sum_ms", row.latency_ms);
        sums.latency_max_ms = Math.max(sums.latency_max_ms as number, row.latency_ms);
        (sums.latency_hist as number[])[bucketIndex(row.latency_ms)]++;
        if (row.ttft_ms !== null) (sums.ttft_hist as number[])[bucketIndex(row.ttft_ms)]++;
      }
    }
    const { rows } = await pool.query(
      `SELECT project_id, dimension, bucket_start, dimension_id, requests, client_errors, server_errors,
         tokens_in::float8 AS tokens_in, tokens_out::float8 AS tokens_out, cost_usd, cache_hits, latency_sum_ms,
         latency_max_ms::float8 AS latency_max_ms, latency_hist, ttft_hist FROM ${table}`,
    );
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      const want = expected.get(
        [row.project_id, row.dimension, row.bucket_start.getTime(), row.dimension_id].join("|"),
      );
      expect(want, `unexpected rollup row ${JSON.stringify(row)}`).toBeDefined();
      for (const field of ["requests", "client_errors", "server_errors", "tokens_in", "tokens_out", "cache_hits"]) {
        expect(row[field], field).toBe(want![field]);
      }
      expect(row.latency_hist).toEqual(want!.latency_hist);
      expect(row.ttft_hist).toEqual(want!.ttft_hist);
      expect(row.cost_usd).toBeCloseTo(want!.cost_usd as number, 12);
      expect(row.latency_sum_ms / (want!.latency_sum_ms as number)).toBeCloseTo(1, 9);
      expect(row.latency_max_ms).toBe(want!.latency_max_ms);
    }
  });
});

/** The value at rank ceil(q·n), what a histogram estimate should share a bucket with. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

function expectWithinOneBucket(estimate: number | null, exact: number, what: string) {
  expect(estimate, what).not.toBeNull();
  expect(Math.abs(bucketIndex(estimate!) - bucketIndex(exact)), `${what}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(
    1,
  );
}

describe("overview", () => {
  it("totals match the raw rows and percentiles are within one bucket of exact", async () => {
    const raw = await rawRows("project_id = $1", [projectId]);
    const result = await overview({ pool }, { projectId, from: new Date(start), to: new Date(end), step: 3600 });
    expect(result.source).toBe("hour");
    expect(overviewOut.parse(result)).toEqual(result);
    expect(result.points).toHaveLength(3);
    const t = result.totals;
    expect(t.requests).toBe(raw.length);
    expect(t.errors).toBe(raw.filter((r) => r.status >= 400).length);
    expect(t.errorRate).toBeCloseTo(t.errors / raw.length, 12);
    expect(t.cacheHitRatio).toBeCloseTo(raw.filter((r) => r.cache_hit).length / raw.length, 12);
    expect(t.tokensOut).toBe(raw.reduce((sum, r) => sum + r.tokens_out, 0));
    expect(t.costUsd).toBeCloseTo(
      raw.reduce((sum, r) => sum + r.cost_usd, 0),
      9,
    );
    const latencies = raw.map((r) => r.latency_ms);
    const ttfts = raw.flatMap((r) => (r.ttft_ms === null ? [] : [r.ttft_ms]));
    expect(t.ttftMs.count).toBe(ttfts.length);
    for (const q of [0.5, 0.95, 0.99] as const) {
      const key = `p${Math.round(q * 100)}` as "p50" | "p95" | "p99";
      expectWithinOneBucket(t.latencyMs[key], exactQuantile(latencies, q), `latency ${key}`);
      expectWithinOneBucket(t.ttftMs[key], exactQuantile(ttfts, q), `ttft ${key}`);
    }
    expect(t.latencyMs.max).toBe(Math.max(...latencies));
    expect(t.latencyMs.avg! / (latencies.reduce((a, b) => a + b) / latencies.length)).toBeCloseTo(1, 9);

    // Each point, too, against its own hour of raw rows.
    for (const point of result.points) {
      const inPoint = raw.filter((r) => r.started_at.getTime() - point.t.getTime() < HOUR && r.started_at >= point.t);
      expect(point.requests).toBe(inPoint.length);
      expect(point.requestsPerSecond).toBeCloseTo(inPoint.length / 3600, 12);
      expectWithinOneBucket(
        point.latencyMs.p95,
        exactQuantile(
          inPoint.map((r) => r.latency_ms),
          0.95,
        ),
        "point p95",
      );
    }
  });

  it("at minute steps reads the minute rollup and fills empty minutes with zeros", async () => {
    const from = new Date(start - 10 * MINUTE);
    const result = await overview({ pool }, { projectId, from, to: new Date(end), step: 300 });
    expect(result.source).toBe("minute");
    expect(result.points).toHaveLength(38);
    expect(result.points[0]).toMatchObject({ requests: 0, errorRate: null });
    expect(result.points[0].latencyMs.p50).toBeNull();
    const raw = await rawRows("project_id = $1", [projectId]);
    expect(result.totals.requests).toBe(raw.length);
  });

  it("filters by one dimension through its rollup series", async () => {
    const modelVersionId = traffic.find((e) => e.projectId === projectId)!.modelVersionId!;
    const raw = await rawRows("project_id = $1 AND model_version_id = $2", [projectId, modelVersionId]);
    for (const step of [600, 3600]) {
      const result = await overview(
        { pool },
        { projectId, from: new Date(start), to: new Date(end), step, modelVersionId },
      );
      expect(result.totals.requests).toBe(raw.length);
      expectWithinOneBucket(
        result.totals.latencyMs.p95,
        exactQuantile(
          raw.map((r) => r.latency_ms),
          0.95,
        ),
        "filtered p95",
      );
    }
    const byKey = await overview({ pool }, { projectId, from: new Date(start), to: new Date(end), apiKeyId: keyId });
    const rawByKey = await rawRows("project_id = $1 AND api_key_id = $2", [projectId, keyId]);
    expect(byKey.totals.requests).toBe(rawByKey.length);
    await expect(
      overview({ pool }, { projectId, from: new Date(start), to: new Date(end), apiKeyId: keyId, modelVersionId }),
    ).rejects.toThrow(/one of/);
  });

  it("refuses too many points", async () => {
    await expect(
      overview({ pool }, { projectId, from: new Date(0), to: new Date(end), step: 60 }),
    ).rejects.toBeInstanceOf(DomainError);
  });
});

describe("breakdown", () => {
  it.each(["model", "prompt", "variant", "key"] as const)(
    "by %s over a ragged range matches the raw rows",
    async (by) => {
      // Not hour-aligned at either end: hourly rollup in the middle, minutes at the ends.
      const from = new Date(start + 17 * MINUTE + 20_000);
      const to = new Date(end - 23 * MINUTE - 5_000);
      const column = {
        model: "model_version_id",
        prompt: "prompt_version_id",
        variant: "variant_id",
        key: "api_key_id",
      }[by];
      const lo = new Date(Math.ceil(from.getTime() / MINUTE) * MINUTE);
      const hi = new Date(Math.ceil(to.getTime() / MINUTE) * MINUTE);
      const raw = await rawRows("project_id = $1 AND started_at >= $2 AND started_at < $3", [projectId, lo, hi]);
      const expected = new Map<string | null, number>();
      for (const row of raw) {
        const key = row[column as keyof RawRow] as string | null;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const result = await breakdown({ pool }, { projectId, from, to, by });
      expect(breakdownOut.parse(result)).toEqual(result);
      expect(result.groups).toBe(expected.size);
      expect(result.totals.requests).toBe(raw.length);
      expect(new Map(result.rows.map((row) => [row.key, row.requests]))).toEqual(expected);
      for (let i = 1; i < result.rows.length; i++) {
        expect(result.rows[i].requests).toBeLessThanOrEqual(result.rows[i - 1].requests);
      }
      expect(result.rows.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1, 12);
      if (by === "key") expect(result.rows.find((row) => row.key === keyId)?.label).toMatch(/^test key \(/);
    },
  );
});

describe("explorer", () => {
  it("pages through a project's requests newest first, each exactly once", async () => {
    const raw = await rawRows("project_id = $1", [projectId]);
    const seen: { id: string; startedAt: Date }[] = [];
    let cursor: string | null = null;
    do {
      const page = await searchRequests(
        { pool },
        { projectId, from: new Date(start), to: new Date(end), limit: 97, cursor },
      );
      expect(requestPageOut.parse(page)).toEqual(page);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(raw.length);
    expect(new Set(seen.map((r) => r.id)).size).toBe(raw.length);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      expect(
        a.startedAt.getTime() > b.startedAt.getTime() ||
          (a.startedAt.getTime() === b.startedAt.getTime() && a.id > b.id),
      ).toBe(true);
    }
  });

  it("filters by status class, exact status, model version and key", async () => {
    const range = { projectId, from: new Date(start), to: new Date(end), limit: 200 };
    const errors = await searchRequests({ pool }, { ...range, status: "error" });
    const rawErrors = await rawRows("project_id = $1 AND status >= 400", [projectId]);
    expect(errors.items.length).toBe(Math.min(200, rawErrors.length));
    expect(errors.items.every((r) => r.status >= 400)).toBe(true);
    const rateLimited = await searchRequests({ pool }, { ...range, status: 429 });
    expect(rateLimited.items.every((r) => r.status === 429)).toBe(true);
    const model = traffic.find((e) => e.projectId === projectId)!.modelVersionId!;
    const byModel = await searchRequests({ pool }, { ...range, model });
    expect(byModel.items.length).toBeGreaterThan(0);
    expect(byModel.items.every((r) => r.modelVersionId === model)).toBe(true);
    const byKey = await searchRequests({ pool }, { ...range, key: keyId });
    expect(byKey.items.length).toBeGreaterThan(0);
    expect(byKey.items.every((r) => r.apiKeyId === keyId)).toBe(true);
    expect(byKey.items[0]).not.toHaveProperty("requestBody");
  });

  it("refuses a forged cursor, and another project's request", async () => {
    const range = { projectId, from: new Date(start), to: new Date(end) };
    await expect(searchRequests({ pool }, { ...range, cursor: "bm9wZQ" })).rejects.toMatchObject({
      code: "VALIDATION",
    });
    const other = traffic.find((e) => e.projectId !== projectId)!;
    await expect(getRequest({ pool }, { projectId, id: other.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const found = await getRequest({ pool }, { projectId: other.projectId, id: other.id, startedAt: other.startedAt });
    expect(found.id).toBe(other.id);
  });
});

describe("/metrics with a database", () => {
  it("reports the database up and the partitions", async () => {
    const text = await renderPrometheus({ writer, db: pool, process: false });
    expect(text).toMatch(/^switchyard_db_up 1$/m);
    expect(text).toMatch(/^switchyard_request_log_partitions [1-9]\d*$/m);
    expect(text).toMatch(/^switchyard_request_log_written_total 6000$/m);
  });

  it("a row for a minute that has no partition yet still lands (default partition)", async () => {
    const far = makeEntry({ projectId, startedAt: new Date("2099-06-01T12:00:00Z") });
    writer.record(far);
    await writer.flush();
    const { rows } = await pool.query("SELECT tableoid::regclass::text AS part FROM request_log WHERE id = $1", [
      far.id,
    ]);
    expect(rows[0].part).toBe("request_log_default");
  });
});
