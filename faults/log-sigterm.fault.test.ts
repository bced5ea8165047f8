/**
 * Issue 14, item 12: SIGTERM with 50 open streams. The gateway (as `npm run gateway` runs it) stops accepting
 * connections at once, lets every open stream finish within the grace period (SWITCHYARD_SHUTDOWN_GRACE_S),
 * logs each, then exits 0. Streams still open at the end of the grace period end with a final error event and
 * are logged as such (503 UNAVAILABLE), not cut silently.
 */
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { upstreamChunk } from "@/server/modules/gateway/testing/chat-upstream";
import { type FakeUpstream, pause, sse, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { chatBody, echoProject, type GatewayProcess, rowsOf, startGateway } from "./log-harness";

let db: Db;
let url: string;
withTestDatabase((client, databaseUrl) => {
  db = client;
  url = databaseUrl;
});

const STREAMS = 50;
const dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-fault-sigterm-"));
let upstream: FakeUpstream;
let key: string;
/** Pieces each upstream stream sends, and the pause before each. */
let pieces = 8;
let gapMs = 400;
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream(async (_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (let i = 0; i < pieces && !res.destroyed; i++) {
      res.write(sse([{ data: upstreamChunk(`t${i} `) }]));
      await pause(gapMs);
    }
    res.end(sse([{ data: upstreamChunk("", "stop") }, { data: "[DONE]" }]));
  });
  ({ key } = await echoProject(db, upstream.origin));
});

afterAll(async () => {
  for (const gateway of gateways) if (gateway.child.exitCode === null) gateway.child.kill("SIGKILL");
  await upstream?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface OpenStream {
  id: string;
  /** Everything the client received, once the stream ended. */
  text: Promise<string>;
}

/** Opens a streamed chat completion and resolves once its first event has arrived. */
async function openStream(origin: string): Promise<OpenStream> {
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: chatBody(true),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("data: ")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { id: res.headers.get("x-request-id")!, text: rest };
}

const refusesConnections = (origin: string) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(Number(new URL(origin).port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

describe("SIGTERM with open streams", () => {
  it("stops accepting, lets all 50 streams finish, logs every one, and exits 0", async () => {
    pieces = 8;
    gapMs = 400;
    const gateway = await startGateway({ databaseUrl: url, dataDir, env: { SWITCHYARD_SHUTDOWN_GRACE_S: "60" } });
    gateways.push(gateway);
    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(gateway.origin)));
    gateway.child.kill("SIGTERM");
    const stoppedAt = Date.now();
    const deadline = Date.now() + 2_000;
    while (!(await refusesConnections(gateway.origin)) && Date.now() < deadline) await pause(20);
    expect(await refusesConnections(gateway.origin)).toBe(true);

    const texts = await Promise.all(streams.map((stream) => stream.text));
    for (const text of texts) {
      expect(text).toContain('"finish_reason":"stop"');
      expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(text).not.toContain('"error"');
    }
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    // Well within the grace period: the drain ends when the last stream does.
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    const rows = await rowsOf(
      url,
      streams.map((stream) => stream.id),
    );
    expect(rows).toHaveLength(STREAMS);
    expect(rows.every((row) => row.status === 200)).toBe(true);
  });

  it("ends the streams still open after the grace period with a final error event, each logged as such", async () => {
    pieces = 200;
    gapMs = 250;
    const gateway = await startGateway({ databaseUrl: url, dataDir, env: { SWITCHYARD_SHUTDOWN_GRACE_S: "1" } });
    gateways.push(gateway);
    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(gateway.origin)));
    gateway.child.kill("SIGTERM");

    const texts = await Promise.all(streams.map((stream) => stream.text));
    for (const text of texts) {
      const events = text.trim().split("\n\n");
      const last = JSON.parse(events.at(-1)!.replace(/^data: /, ""));
      expect(last).toMatchObject({ error: { code: "unavailable", message: expect.stringContaining("shutting down") } });
    }
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    const rows = await rowsOf(
      url,
      streams.map((stream) => stream.id),
    );
    expect(rows).toHaveLength(STREAMS);
    for (const row of rows) expect(row).toMatchObject({ status: 503, error_code: "UNAVAILABLE" });
  });
});
