// Postgres going away under the writer: a real server of our own (embedded,
// its own port and data directory) that the test stops and starts again.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { freePort } from "@/server/testing/ports";
import { makeEntry } from "./testing";
import { RequestLogWriter, type RequestLogWriterOptions } from "./writer";

let dataDir: string;
let port: number;
let server: EmbeddedPostgresHandle | null = null;
let url: string;
const writers: RequestLogWriter[] = [];

const startServer = async () => {
  server = await startEmbeddedPostgres({ dataDir, port, database: "request_log_outage", fast: true });
  url = server.url;
};
const stopServer = async () => {
  await server?.stop();
  server = null;
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-request-log-outage-"));
  port = await freePort();
  await startServer();
  await applyMigrations(url);
}, 120_000);

afterAll(async () => {
  await Promise.all(writers.map((writer) => writer.close({ timeoutMs: 100 })));
  await stopServer();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

function newWriter(options: Partial<RequestLogWriterOptions> = {}) {
  const writer = new RequestLogWriter({
    connectionString: url,
    batchSize: 200,
    retryMinMs: 50,
    retryMaxMs: 400,
    log: () => {},
    ...options,
  });
  writers.push(writer);
  return writer;
}

async function storedIds(): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM request_log");
    return new Set(rows.map((row) => row.id));
  } finally {
    await client.end();
  }
}

async function rollupTotal(): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (
      await client.query("SELECT coalesce(sum(requests), 0)::int AS n FROM request_log_hour WHERE dimension = 'total'")
    ).rows[0].n;
  } finally {
    await client.end();
  }
}

const until = async (condition: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("Postgres down", () => {
  it("keeps serving, buffers, and writes every row once Postgres is back", async () => {
    const writer = newWriter();
    const before = Array.from({ length: 500 }, () => makeEntry());
    for (const entry of before) writer.record(entry);
    await writer.flush();

    await stopServer();
    const during = Array.from({ length: 2000 }, () => makeEntry());
    const started = performance.now();
    for (const entry of during) writer.record(entry);
    // record() never waits for the database.
    expect(performance.now() - started).toBeLessThan(500);
    await until(() => writer.stats().failures >= 2);
    expect(writer.stats()).toMatchObject({ written: 500, buffered: 2000, dropped: 0 });
    expect(writer.stats().lastError).not.toBeNull();

    await startServer();
    await writer.flush({ timeoutMs: 30_000 });
    const ids = await storedIds();
    for (const entry of [...before, ...during]) expect(ids.has(entry.id)).toBe(true);
    expect(ids.size).toBe(2500);
    expect(await rollupTotal()).toBe(2500);
    expect(writer.stats()).toMatchObject({ written: 2500, buffered: 0, dropped: 0, rejected: 0 });
  }, 90_000);

  it("past the bound drops the oldest rows, counts them, and writes the rest", async () => {
    const writer = newWriter({ maxBuffered: 1000 });
    const existing = (await storedIds()).size;
    await stopServer();
    const entries = Array.from({ length: 1500 }, () => makeEntry());
    for (const entry of entries) writer.record(entry);
    expect(writer.stats()).toMatchObject({ buffered: 1000, dropped: 500 });
    await until(() => writer.stats().failures >= 1);

    await startServer();
    await writer.flush({ timeoutMs: 30_000 });
    const ids = await storedIds();
    expect(ids.size).toBe(existing + 1000);
    expect(entries.slice(0, 500).some((entry) => ids.has(entry.id))).toBe(false);
    expect(entries.slice(500).every((entry) => ids.has(entry.id))).toBe(true);
    expect(writer.stats()).toMatchObject({ written: 1000, dropped: 500, buffered: 0 });
  }, 90_000);

  it("close() writes what is buffered; with Postgres gone it gives up in time and counts the loss", async () => {
    const writer = newWriter();
    const entries = Array.from({ length: 300 }, () => makeEntry());
    for (const entry of entries) writer.record(entry);
    const closed = await writer.close();
    expect(closed).toMatchObject({ written: 300, buffered: 0, dropped: 0 });
    const ids = await storedIds();
    expect(entries.every((entry) => ids.has(entry.id))).toBe(true);

    const doomed = newWriter();
    await stopServer();
    for (let i = 0; i < 50; i++) doomed.record(makeEntry());
    const started = performance.now();
    const stats = await doomed.close({ timeoutMs: 500 });
    expect(performance.now() - started).toBeLessThan(5_000);
    await until(() => doomed.stats().dropped === 50);
    expect(stats.buffered).toBe(0);
    await startServer();
  }, 90_000);
});
