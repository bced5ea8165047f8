// The writer with its on-disk spool (real files in a temporary folder) against
// the in-memory stand-in for Postgres: rows on disk before record() returns,
// rows past the memory bound kept on disk through an outage, a dead process's
// files replayed exactly once, a full spool said loudly.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { serializeEntry } from "./ingest";
import { makeEntry } from "./testing";
import { FakePostgres } from "./testing/fake-postgres";
import { RequestLogWriter, type RequestLogWriterOptions } from "./writer";

const writers: RequestLogWriter[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close({ timeoutMs: 50 })));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function spoolDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-spool-test-"));
  dirs.push(dir);
  return dir;
}

function setup(dir: string, options: Partial<RequestLogWriterOptions> = {}, db = new FakePostgres()) {
  const logs: string[] = [];
  const writer = new RequestLogWriter({
    pool: db as unknown as pg.Pool,
    flushIntervalMs: 5,
    retryMinMs: 5,
    retryMaxMs: 20,
    log: (message) => logs.push(message),
    spool: { dir, maxBytes: 64 * 1024 * 1024 },
    ...options,
  });
  writers.push(writer);
  return { db, writer, logs };
}

const spooled = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => readFileSync(path.join(dir, name), "utf8"))
    .join("");

/** A pid no process has (Linux pids stay below 2^22). */
const DEAD_PID = 4_194_400;

describe("RequestLogWriter with a spool", () => {
  it("has the row on disk when record() returns, and deletes the file once Postgres has it", async () => {
    const dir = spoolDir();
    const { db, writer } = setup(dir, { flushIntervalMs: 60_000 });
    const entry = makeEntry();
    writer.record(entry);
    expect(spooled(dir)).toContain(entry.id);
    await writer.close();
    expect(db.ids()).toEqual([entry.id]);
    expect(readdirSync(path.dirname(dir)).includes(path.basename(dir))).toBe(false);
  });

  it("keeps rows past the memory bound on disk through an outage and stores every one once when it ends", async () => {
    const dir = spoolDir();
    const { db, writer, logs } = setup(dir, { maxBuffered: 10, batchSize: 4 });
    db.down = true;
    const entries = Array.from({ length: 60 }, () => makeEntry());
    for (const entry of entries) writer.record(entry);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writer.stats()).toMatchObject({ dropped: 0, evicted: 50, buffered: 10 });
    db.down = false;
    await writer.flush({ timeoutMs: 5_000 });
    expect(db.ids().sort()).toEqual(entries.map((e) => e.id).sort());
    expect(writer.stats()).toMatchObject({ dropped: 0, buffered: 0 });
    expect(writer.stats().replayed).toBeGreaterThanOrEqual(50);
    expect(logs.some((line) => line.startsWith("cannot write to Postgres"))).toBe(true);
    await writer.close();
    expect(readdirSync(path.dirname(dir)).includes(path.basename(dir))).toBe(false);
  });

  it("close() with Postgres down leaves the rows in the spool (not dropped) and the next writer stores them", async () => {
    const dir = spoolDir();
    const first = setup(dir);
    first.db.down = true;
    const entries = Array.from({ length: 25 }, () => makeEntry());
    for (const entry of entries) first.writer.record(entry);
    const stats = await first.writer.close({ timeoutMs: 30 });
    expect(stats).toMatchObject({ dropped: 0 });
    expect(first.db.ids()).toEqual([]);

    const second = setup(dir);
    await second.writer.flush({ timeoutMs: 5_000 });
    expect(second.db.ids().sort()).toEqual(entries.map((e) => e.id).sort());
    expect(second.writer.stats().replayed).toBe(25);
  });

  it("replays a dead process's file exactly once, skipping a torn last line", async () => {
    const dir = spoolDir();
    const entries = Array.from({ length: 7 }, () => makeEntry());
    const lines = entries.map((entry) => serializeEntry(entry)).join("\n");
    // The same rows twice (a replay interrupted, then run again); the second file ends mid-row (killed mid-write).
    writeFileSync(path.join(dir, `${DEAD_PID}-0abc-0.jsonl`), `${lines}\n`);
    writeFileSync(path.join(dir, `${DEAD_PID}-0abc-1.jsonl`), `${lines}\n${serializeEntry(makeEntry()).slice(0, 40)}`);
    const db = new FakePostgres();
    const { writer, logs } = setup(dir, {}, db);
    await writer.flush({ timeoutMs: 5_000 });
    expect(db.ids().sort()).toEqual(entries.map((e) => e.id).sort());
    expect(writer.stats()).toMatchObject({ replayed: 7, duplicates: 7 });
    expect(logs.some((line) => line.includes("skipped 1 unreadable line"))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.endsWith(".jsonl"))).toEqual([]);
  });

  it("leaves a live writer's files alone", async () => {
    const dir = spoolDir();
    const first = setup(dir, { flushIntervalMs: 60_000 });
    first.db.down = true;
    first.writer.record(makeEntry());
    const second = setup(dir);
    await second.writer.flush({ timeoutMs: 1_000 });
    expect(second.writer.stats().replayed).toBe(0);
    expect(second.db.ids()).toEqual([]);
  });

  it("when full, says so once per interval and keeps new rows in memory only", async () => {
    const dir = spoolDir();
    const row = serializeEntry(makeEntry()).length + 1;
    const { db, writer, logs } = setup(dir, { spool: { dir, maxBytes: row * 3 }, maxBuffered: 5 });
    db.down = true;
    for (let i = 0; i < 20; i++) writer.record(makeEntry());
    const full = logs.filter((line) => line.startsWith("SPOOL FULL"));
    expect(full).toHaveLength(1);
    expect(writer.stats().spool).toMatchObject({ full: true, memoryOnly: 17 });
    // 20 rows, 5 in memory: of the 15 evicted, the 3 on disk are kept, the others lost.
    expect(writer.stats()).toMatchObject({ evicted: 3, dropped: 12 });
    db.down = false;
    await writer.flush({ timeoutMs: 5_000 });
    expect(db.ids()).toHaveLength(8);
  });
});
