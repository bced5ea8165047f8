// Sessions end to end: the gateway records x-switchyard-session into the log (through the real writer), the
// explorer filters on it, and the sessions list and transcript group requests by header or by user.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { searchRequests } from "@/server/modules/request-log/explorer";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { getSession, listSessions } from "./service";

let db: Db;
let url: string;
let projectId: string;
let key: string;
let pool: pg.Pool;
let writer: RequestLogWriter;
let gateway: StandaloneGateway;

withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  projectId = (await makeProject(db)).project.id;
  key = (await makeApiKey(db, projectId)).key;
});

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
  writer = new RequestLogWriter({ connectionString: url });
  gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1", db, sink: writer });
});

afterAll(async () => {
  await gateway?.close();
  await writer?.close();
  await pool?.end();
});

const models = (headers: Record<string, string>) =>
  fetch(`${gateway.origin}/v1/models`, { headers: { authorization: `Bearer ${key}`, ...headers } });
const range = () => ({ projectId, from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) });

describe("the gateway's x-switchyard-session header", () => {
  it("is stored trimmed in the log row, and the explorer filters on it", async () => {
    const res = await models({ "x-switchyard-session": "  chat-42  " });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    await writer.flush();
    const page = await searchRequests({ pool }, { ...range(), session: "chat-42" });
    expect(page.items.map((r) => r.id)).toEqual([id]);
    expect(page.items[0].sessionId).toBe("chat-42");
    const none = await searchRequests({ pool }, { ...range(), session: "chat-43" });
    expect(none.items).toEqual([]);
  });

  it("refuses an id over 200 characters or with control characters with a 400 naming the header", async () => {
    for (const value of ["x".repeat(201), "a\tb"]) {
      const res = await models({ "x-switchyard-session": value });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain("x-switchyard-session");
    }
    const ok = await models({ "x-switchyard-session": "y".repeat(200) });
    expect(ok.status).toBe(200);
  });
});

describe("sessions", () => {
  const t0 = Date.now() - 600_000;
  beforeAll(async () => {
    const rows = [
      makeEntry({ projectId, sessionId: "s-1", userId: "ann", startedAt: new Date(t0), costUsd: 0.5 }),
      makeEntry({ projectId, sessionId: "s-1", userId: "ann", startedAt: new Date(t0 + 1000), costUsd: 0.25 }),
      makeEntry({ projectId, sessionId: "s-1", userId: "ann", startedAt: new Date(t0 + 2000), status: 500 }),
      makeEntry({ projectId, userId: "bob", startedAt: new Date(t0 + 3000), costUsd: 1 }),
      makeEntry({ projectId, userId: "bob", startedAt: new Date(t0 + 4000), costUsd: 1 }),
      // Neither header nor user: in no session.
      makeEntry({ projectId, startedAt: new Date(t0 + 5000) }),
    ];
    rows[0].requestBody = { messages: [{ role: "user", content: "first question" }] };
    for (const row of rows) writer.record(row);
    await writer.flush();
  });

  it("lists header sessions and user sessions with counts, first/last seen and cost", async () => {
    const { items } = await listSessions({ pool, projectId }, range());
    const s1 = items.find((s) => s.kind === "session" && s.key === "s-1")!;
    expect(s1).toMatchObject({ requests: 3, errors: 1, users: ["ann"], costUsd: 0.5 + 0.25 + 0.0001 });
    expect(s1.firstSeen.getTime()).toBe(t0);
    expect(s1.lastSeen.getTime()).toBe(t0 + 2000);
    const bob = items.find((s) => s.kind === "user" && s.key === "bob")!;
    expect(bob).toMatchObject({ requests: 2, costUsd: 2 });
    // Ann's requests all carried a session header: she is not also a user session.
    expect(items.some((s) => s.kind === "user" && s.key === "ann")).toBe(false);
    const onlyUsers = await listSessions({ pool, projectId }, { ...range(), kind: "user" });
    expect(onlyUsers.items.every((s) => s.kind === "user")).toBe(true);
  });

  it("gives a session's requests oldest first, with their bodies", async () => {
    const transcript = await getSession({ pool, projectId }, { ...range(), kind: "session", key: "s-1" });
    expect(transcript.turns.map((t) => t.startedAt.getTime())).toEqual([t0, t0 + 1000, t0 + 2000]);
    expect(transcript.turns[0].requestBody).toEqual({ messages: [{ role: "user", content: "first question" }] });
    expect(transcript.summary?.requests).toBe(3);
    expect(transcript.truncated).toBe(false);
    const unknown = await getSession({ pool, projectId }, { ...range(), kind: "user", key: "nobody" });
    expect(unknown).toEqual({ summary: null, turns: [], truncated: false });
  });

  it("refuses a range over 31 days and a reversed range", async () => {
    const to = new Date();
    await expect(
      listSessions({ pool, projectId }, { from: new Date(to.getTime() - 32 * 86_400_000), to }),
    ).rejects.toThrow(/at most 31 days/);
    await expect(listSessions({ pool, projectId }, { from: to, to: new Date(to.getTime() - 1) })).rejects.toThrow(
      /before/,
    );
  });
});
