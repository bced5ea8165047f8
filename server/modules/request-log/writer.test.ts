// The writer's buffering, retry and drop rules against an in-memory stand-in
// for Postgres (the real statement is covered by writer.int.test.ts).
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { makeEntry } from "./testing";
import { FakePostgres } from "./testing/fake-postgres";
import type { RequestLogEntry } from "./types";
import { RequestLogWriter, type RequestLogWriterOptions } from "./writer";

const writers: RequestLogWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close({ timeoutMs: 50 })));
});

function setup(options: Partial<RequestLogWriterOptions> = {}) {
  const db = new FakePostgres();
  const logs: string[] = [];
  const writer = new RequestLogWriter({
    pool: db as unknown as pg.Pool,
    flushIntervalMs: 5,
    retryMinMs: 5,
    retryMaxMs: 20,
    log: (message) => logs.push(message),
    ...options,
  });
  writers.push(writer);
  return { db, writer, logs };
}

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

const entries = (n: number) => Array.from({ length: n }, () => makeEntry());

describe("RequestLogWriter", () => {
  it("record() only buffers; flush() writes every row once, in batches", async () => {
    const { db, writer } = setup({ batchSize: 100 });
    const batch = entries(1050);
    for (const entry of batch) writer.record(entry);
    expect(db.statements).toBe(0);
    expect(writer.stats().buffered).toBe(1050);
    await writer.flush();
    expect(db.ids().sort()).toEqual(batch.map((e) => e.id).sort());
    expect(writer.stats()).toMatchObject({ recorded: 1050, written: 1050, buffered: 0, dropped: 0, batches: 11 });
    expect(writer.stats().flushLatency.count).toBe(11);
  });

  it("writes in the background without flush()", async () => {
    const { db, writer } = setup();
    writer.record(makeEntry());
    await until(() => db.rows.size === 1);
    expect(writer.stats().lastFlushAt).toBeInstanceOf(Date);
  });

  it("leaves a partial batch for the tick, not for the end of the statement before it", async () => {
    // The tick is a minute away: only a full batch or flush() writes.
    const { db, writer } = setup({ flushIntervalMs: 60_000, batchSize: 3 });
    let release = () => {};
    db.gate = new Promise((resolve) => {
      release = resolve;
    });
    for (let i = 0; i < 3; i++) writer.record(makeEntry());
    await until(() => db.statements === 1);
    // Arrive while the first statement is in flight: fewer than a batch, so they wait and travel together later.
    writer.record(makeEntry());
    writer.record(makeEntry());
    release();
    await until(() => db.rows.size === 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(db.statements).toBe(1);
    expect(writer.stats().buffered).toBe(2);
    await writer.flush();
    expect(db.rows.size).toBe(5);
    expect(db.statements).toBe(2);
  });

  it("refuses entries that break the contract without buffering them", () => {
    const { writer, logs } = setup();
    writer.record(makeEntry({ id: "not-a-uuid" }));
    expect(writer.stats()).toMatchObject({ rejected: 1, recorded: 0, buffered: 0 });
    expect(writer.stats().lastError?.message).toContain("id must be a UUID");
    expect(logs).toHaveLength(1);
  });

  it("keeps rows through an outage and writes them all when Postgres is back", async () => {
    const { db, writer, logs } = setup({ batchSize: 10 });
    db.down = true;
    const batch = entries(35);
    for (const entry of batch) writer.record(entry);
    await until(() => writer.stats().failures >= 3);
    expect(writer.stats()).toMatchObject({ buffered: 35, written: 0, dropped: 0 });
    expect(writer.stats().backoffMs).toBeGreaterThan(0);
    expect(writer.stats().lastError).toMatchObject({ code: "ECONNREFUSED" });
    db.down = false;
    await writer.flush();
    expect(db.ids().sort()).toEqual(batch.map((e) => e.id).sort());
    expect(writer.stats()).toMatchObject({ buffered: 0, written: 35, dropped: 0, backoffMs: 0 });
    expect(logs.some((line) => line.includes("reachable again"))).toBe(true);
  });

  it("past the bound drops the oldest queued rows and counts them", async () => {
    const { db, writer } = setup({ maxBuffered: 10 });
    db.down = true;
    const batch = entries(25);
    for (const entry of batch) writer.record(entry);
    expect(writer.stats()).toMatchObject({ buffered: 10, dropped: 15 });
    db.down = false;
    await writer.flush();
    expect(db.ids().sort()).toEqual(
      batch
        .slice(15)
        .map((e) => e.id)
        .sort(),
    );
  });

  it("drops from the head of a batch waiting for its retry (the oldest rows)", async () => {
    const { db, writer } = setup({ maxBuffered: 10, batchSize: 5 });
    db.down = true;
    const batch = entries(13);
    for (const entry of batch.slice(0, 10)) writer.record(entry);
    await until(() => writer.stats().failures >= 1);
    for (const entry of batch.slice(10)) writer.record(entry);
    expect(writer.stats()).toMatchObject({ buffered: 10, dropped: 3 });
    db.down = false;
    await writer.flush();
    expect(db.ids().sort()).toEqual(
      batch
        .slice(3)
        .map((e) => e.id)
        .sort(),
    );
  });

  it("stores a batch once when its commit was not acknowledged, and counts the retry's duplicates", async () => {
    const { db, writer } = setup();
    db.loseNextAck = true;
    const batch = entries(20);
    for (const entry of batch) writer.record(entry);
    await writer.flush();
    expect(db.rows.size).toBe(20);
    expect(writer.stats()).toMatchObject({ written: 20, duplicates: 20, failures: 1 });
  });

  it("isolates a row Postgres refuses: stores it without bodies, or rejects it alone", async () => {
    const { db, writer } = setup({ batchSize: 64 });
    const batch = entries(64).map((entry) => ({ ...entry, requestBody: { prompt: "hi" } }));
    db.poison.add(batch[17].id);
    db.hopeless.add(batch[40].id);
    for (const entry of batch) writer.record(entry);
    await writer.flush();
    expect(db.rows.size).toBe(63);
    const salvaged = [...db.rows.values()].find((row) => row.id === batch[17].id);
    expect(salvaged).toMatchObject({ requestBody: null });
    expect(writer.stats()).toMatchObject({ written: 63, salvaged: 1, rejected: 1, dropped: 0 });
    expect(writer.stats().lastError?.message).toContain(batch[40].id);
    // Halving isolates the bad rows in a logarithmic number of statements.
    expect(db.statements).toBeLessThan(40);
  });

  it("flush() gives up after its timeout and keeps the rows", async () => {
    const { db, writer } = setup();
    db.down = true;
    writer.record(makeEntry());
    await expect(writer.flush({ timeoutMs: 50 })).rejects.toThrow(/1 entries still unwritten/);
    expect(writer.stats().buffered).toBe(1);
  });

  it("close() flushes, then refuses new entries (counted as dropped)", async () => {
    const { db, writer } = setup();
    const batch = entries(30);
    for (const entry of batch) writer.record(entry);
    const stats = await writer.close();
    expect(stats).toMatchObject({ written: 30, buffered: 0, dropped: 0 });
    expect(db.rows.size).toBe(30);
    writer.record(makeEntry());
    expect(writer.stats().dropped).toBe(1);
  });

  it("close() with Postgres down counts what it could not write as dropped", async () => {
    const { db, writer } = setup();
    db.down = true;
    for (const entry of entries(7)) writer.record(entry);
    await writer.close({ timeoutMs: 60 });
    // Under load the last write attempt may still be settling when close() returns: wait for the accounting.
    await until(() => writer.stats().dropped === 7);
    expect(writer.stats().buffered).toBe(0);
    expect(db.rows.size).toBe(0);
  });

  it("counts traffic for /metrics as entries are recorded", () => {
    const { writer } = setup();
    const recorded: RequestLogEntry[] = [
      makeEntry({ status: 200, tokensIn: 5, tokensOut: 7, ttftMs: 30, cacheHit: true }),
      makeEntry({ status: 503, tokensIn: 1, tokensOut: 0 }),
      makeEntry({ status: 429 }),
    ];
    for (const entry of recorded) writer.record(entry);
    const traffic = writer.trafficSnapshot();
    expect(traffic.requests).toMatchObject({ "2xx": 1, "4xx": 1, "5xx": 1 });
    expect(traffic).toMatchObject({ tokensIn: 16, tokensOut: 27, cacheHits: 1 });
    expect(traffic.latency.counts.reduce((a, b) => a + b)).toBe(3);
    expect(traffic.ttft.counts.reduce((a, b) => a + b)).toBe(1);
  });
});
