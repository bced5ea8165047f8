// Partition maintenance on a real Postgres: partitions ahead, the default
// partition for days without one, retention, and maintenance racing the writer.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTestDatabase } from "@/server/testing/db";
import { getRequestLogSettings, listPartitions, maintainPartitions, updateRequestLogSettings } from "./maintenance";
import { makeEntry } from "./testing";
import { RequestLogWriter } from "./writer";

let url: string;
let pool: pg.Pool;
let writer: RequestLogWriter;

withTestDatabase((_db, createdUrl) => {
  url = createdUrl;
});
beforeAll(() => {
  pool = new pg.Pool({ connectionString: url, max: 3 });
  writer = new RequestLogWriter({ connectionString: url, batchSize: 100 });
});
afterAll(async () => {
  await writer.close();
  await pool.end();
});

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const partitionOf = async (id: string) =>
  (await pool.query("SELECT tableoid::regclass::text AS part FROM request_log WHERE id = $1", [id])).rows[0]?.part;
const count = async (sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows[0].n as number;

describe("partition maintenance", () => {
  it("creates today's partition and the next days', once", async () => {
    const first = await maintainPartitions({ pool }, { today: day("2030-01-10"), daysAhead: 2, retentionDays: 3650 });
    expect(first).toEqual({
      created: ["request_log_p20300110", "request_log_p20300111", "request_log_p20300112"],
      dropped: [],
    });
    expect(await maintainPartitions({ pool }, { today: day("2030-01-10"), daysAhead: 2, retentionDays: 3650 })).toEqual(
      { created: [], dropped: [] },
    );
    const partitions = await listPartitions({ pool });
    expect(partitions.find((p) => p.name === "request_log_p20300111")?.day).toBe("2030-01-11");
    expect(partitions.find((p) => p.name === "request_log_default")?.day).toBeNull();
  });

  it("a row for a day without a partition lands in the default one and moves when its day gets a partition", async () => {
    const entry = makeEntry({ startedAt: new Date("2030-02-01T10:00:00Z") });
    writer.record(entry);
    await writer.flush();
    expect(await partitionOf(entry.id)).toBe("request_log_default");

    const result = await maintainPartitions({ pool }, { today: day("2030-01-31"), daysAhead: 1, retentionDays: 3650 });
    expect(result.created).toEqual(["request_log_p20300131", "request_log_p20300201"]);
    expect(await partitionOf(entry.id)).toBe("request_log_p20300201");
    expect(await count("SELECT count(*)::int AS n FROM request_log_default")).toBe(0);
    // The partition came with the parent's indexes and primary key.
    const indexesOf = async (table: string) =>
      (await pool.query(`SELECT count(*)::int AS n FROM pg_index WHERE indrelid = '${table}'::regclass`)).rows[0].n;
    expect(await indexesOf("request_log_p20300201")).toBe(await indexesOf("request_log"));
    expect(await indexesOf("request_log")).toBeGreaterThanOrEqual(5);
  });

  it("a day with rows stuck in the default partition gets its partition even outside the days ahead", async () => {
    const entry = makeEntry({ startedAt: new Date("2030-01-20T23:59:59.999Z") });
    writer.record(entry);
    await writer.flush();
    const result = await maintainPartitions({ pool }, { today: day("2030-01-31"), daysAhead: 1, retentionDays: 3650 });
    expect(result.created).toEqual(["request_log_p20300120"]);
    expect(await partitionOf(entry.id)).toBe("request_log_p20300120");
  });

  it("drops partitions, default rows and minute rollups older than the retention setting", async () => {
    const old = makeEntry({ startedAt: new Date("2030-01-05T12:00:00Z") }); // no partition: default
    const recent = makeEntry({ startedAt: new Date("2030-03-01T12:00:00Z") });
    writer.record(old);
    writer.record(recent);
    await writer.flush();
    expect(await partitionOf(old.id)).toBe("request_log_default");

    const settings = await updateRequestLogSettings({ pool }, { retentionDays: 30 });
    expect(settings).toMatchObject({ retentionDays: 30, daysAhead: 3, rollupRetentionDays: 400 });
    expect(await getRequestLogSettings({ pool })).toMatchObject({ retentionDays: 30 });

    // Today 2030-03-15, 30 days: every day before 2030-02-13 goes.
    const result = await maintainPartitions({ pool }, { today: day("2030-03-15") });
    expect(result.dropped).toEqual(
      expect.arrayContaining([
        "request_log_p20300110",
        "request_log_p20300111",
        "request_log_p20300112",
        "request_log_p20300120",
        "request_log_p20300131",
        "request_log_p20300201",
      ]),
    );
    expect(result.created).toEqual(
      expect.arrayContaining(["request_log_p20300301", "request_log_p20300315", "request_log_p20300318"]),
    );
    const remaining = (await listPartitions({ pool })).map((p) => p.day).filter(Boolean) as string[];
    expect(remaining.every((d) => d >= "2030-02-13")).toBe(true);
    expect(await partitionOf(old.id)).toBeUndefined();
    expect(await partitionOf(recent.id)).toBe("request_log_p20300301");
    const cutoff = day("2030-02-13");
    expect(await count("SELECT count(*)::int AS n FROM request_log_minute WHERE bucket_start < $1", [cutoff])).toBe(0);
    // Hourly rollups outlive the raw rows (400 days by default).
    expect(
      await count("SELECT count(*)::int AS n FROM request_log_hour WHERE bucket_start < $1", [cutoff]),
    ).toBeGreaterThan(0);
  });

  it("refuses a retention below one day", async () => {
    await expect(updateRequestLogSettings({ pool }, { retentionDays: 0 })).rejects.toThrow();
  });

  it("runs while the writer inserts into the same day without losing or stranding rows", async () => {
    const at = (i: number) => new Date(Date.parse("2030-04-01T00:00:00Z") + i * 1000);
    const writing = (async () => {
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 300; i++) writer.record(makeEntry({ startedAt: at(round * 300 + i) }));
        await writer.flush();
      }
    })();
    const maintaining = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return maintainPartitions({ pool }, { today: day("2030-04-01"), daysAhead: 0 });
    })();
    const [, result] = await Promise.all([writing, maintaining]);
    expect(result.created).toContain("request_log_p20300401");
    const day1 = [day("2030-04-01"), day("2030-04-02")];
    expect(
      await count("SELECT count(*)::int AS n FROM request_log WHERE started_at >= $1 AND started_at < $2", day1),
    ).toBe(3000);
    expect(await count("SELECT count(*)::int AS n FROM request_log_default")).toBe(0);
    expect(writer.stats()).toMatchObject({ dropped: 0, rejected: 0 });
  });
});
