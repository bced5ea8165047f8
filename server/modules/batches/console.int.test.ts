/** The console's batch reads, the file download a browser link follows, and the explorer's batch filter. */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "@/lib/scopes";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { handleFileDownload } from "@/server/modules/batches/console";
import { fileStore } from "@/server/modules/files/store";
import { searchRequests } from "@/server/modules/request-log/explorer";
import { makeEntry } from "@/server/modules/request-log/testing";
import { RequestLogWriter } from "@/server/modules/request-log/writer";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject, makeUser } from "@/server/testing/factories";

let db: Db;
let url: string;
let fixture: Awaited<ReturnType<typeof makeProject>>;
let other: Awaited<ReturnType<typeof makeProject>>;
let scratch: string;
const CONTENT = '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}\n';
withTestDatabase((created, createdUrl) => {
  db = created;
  url = createdUrl;
});

/** A file stored the way /v1/files stores one: the bytes in the blob store, a row in `files`. */
async function storeFile(projectId: string, id: string, content: string, extra: { deletedAt?: Date } = {}) {
  const source = path.join(scratch, `${id}.jsonl`);
  await writeFile(source, content);
  const { sha256, sizeBytes } = await fileStore().put(source);
  return db.storedFile.create({
    data: {
      id,
      projectId,
      purpose: "batch",
      filename: `${id}.jsonl`,
      bytes: sizeBytes,
      sha256,
      lineCount: content.split("\n").filter(Boolean).length,
      ...extra,
    },
  });
}

const fileId = (name: string) => `file-${name.padEnd(24, "0")}`;
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 6, 9, minutes));

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "batches-console-"));
  fixture = await makeProject(db, "Batches console");
  other = await makeProject(db, "Someone else");
  await storeFile(fixture.project.id, fileId("input"), CONTENT);
  await storeFile(fixture.project.id, fileId("output"), `${CONTENT}${CONTENT}`);
  await storeFile(fixture.project.id, fileId("gone"), CONTENT, { deletedAt: new Date() });
  await storeFile(other.project.id, fileId("foreign"), "theirs\n");
  const job = await db.job.create({
    data: { projectId: fixture.project.id, kind: "batch", state: "succeeded", createdByLabel: "test" },
  });
  const batch = (n: number, data: Record<string, unknown> = {}) =>
    db.batch.create({
      data: {
        id: `batch_${String(n).padStart(24, "0")}`,
        projectId: fixture.project.id,
        endpoint: "/v1/chat/completions",
        inputFileId: fileId("input"),
        completionWindow: "24h",
        createdAt: at(n),
        ...data,
      },
    });
  await batch(1, {
    status: "completed",
    totalCount: 2,
    completedCount: 2,
    outputFileId: fileId("output"),
    errorFileId: fileId("gone"),
    metadata: { team: "support" },
    jobId: job.id,
    completedAt: at(2),
  });
  await batch(2, { status: "in_progress", mode: "upstream", totalCount: 10, completedCount: 4, failedCount: 1 });
  // Names another project's file: it shows as missing, never as that project's file.
  await batch(3, { status: "failed", inputFileId: fileId("foreign") });
  await db.batch.create({
    data: {
      id: `batch_${"9".repeat(24)}`,
      projectId: other.project.id,
      endpoint: "/v1/embeddings",
      inputFileId: fileId("foreign"),
      completionWindow: "24h",
    },
  });
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

describe("batches.list and batches.get", () => {
  it("lists the project's batches newest first with counts, files and job, a page at a time", async () => {
    const first = await owner().batches.list({ limit: 2 });
    expect(first.items.map((b) => b.id)).toEqual([`batch_${"3".padStart(24, "0")}`, `batch_${"2".padStart(24, "0")}`]);
    expect(first.nextCursor).toBe(first.items[1].id);
    const second = await owner().batches.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    const done = second.items[0];
    expect(done).toMatchObject({
      status: "completed",
      mode: "gateway",
      metadata: { team: "support" },
      requestCounts: { total: 2, completed: 2, failed: 0 },
      inputFile: { id: fileId("input"), lineCount: 1, available: true, bytes: CONTENT.length },
      outputFile: { id: fileId("output"), lineCount: 2, available: true },
      errorFile: { id: fileId("gone"), available: false },
    });
    expect(done.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(done.completedAt).toEqual(at(2));

    const running = first.items[1];
    expect(running).toMatchObject({ mode: "upstream", requestCounts: { total: 10, completed: 4, failed: 1 } });
    expect(first.items[0]).toMatchObject({ inputFileId: fileId("foreign"), inputFile: null });
  });

  it("filters by status, and refuses a cursor from another project", async () => {
    const failed = await owner().batches.list({ status: "failed" });
    expect(failed.items.map((b) => b.status)).toEqual(["failed"]);
    await expect(owner().batches.list({ cursor: `batch_${"9".repeat(24)}` })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("gets one batch; another project's is not found", async () => {
    const one = await owner().batches.get({ id: `batch_${"1".padStart(24, "0")}` });
    expect(one.outputFile?.filename).toBe(`${fileId("output")}.jsonl`);
    const foreign = owner().batches.get({ id: `batch_${"9".repeat(24)}` });
    await expect(foreign).rejects.toBeInstanceOf(TRPCError);
    await expect(foreign).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a viewer reads batches; a key without jobs:read does not", async () => {
    const viewer = await addMember(db, fixture.project.id, "viewer");
    const seen = await callerFor(db, viewer.principal, fixture.project.id).batches.list({});
    expect(seen.items).toHaveLength(3);
    const { principal } = await makeApiKey(
      db,
      fixture.project.id,
      SCOPES.filter((s) => s !== "jobs:read"),
    );
    await expect(callerFor(db, principal, fixture.project.id).batches.list({})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

/** A browser following the console's link: the session cookie, no project header, no API key. */
function browserDownload(id: string, session: Principal | null, headers: Record<string, string> = {}) {
  return handleFileDownload(
    new Request(`http://localhost/api/rest/files/${id}/download`, { headers }),
    { db, session: async () => session },
    id,
  );
}

describe("file download", () => {
  it("a member's session downloads the file's bytes as an attachment", async () => {
    const response = await browserDownload(fileId("output"), fixture.owner.principal);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${fileId("output")}.jsonl"`);
    expect(response.headers.get("content-type")).toMatch(/^application\/jsonl/);
    expect(await response.text()).toBe(`${CONTENT}${CONTENT}`);
    const viewer = await addMember(db, fixture.project.id, "viewer");
    expect(await (await browserDownload(fileId("input"), viewer.principal)).text()).toBe(CONTENT);
  });

  it("refuses the signed out (401), strangers (403), deleted and unknown files (404)", async () => {
    expect((await browserDownload(fileId("input"), null)).status).toBe(401);
    expect((await browserDownload(fileId("nothing"), null)).status).toBe(401);
    const stranger = await makeUser(db);
    const refused = await browserDownload(fileId("input"), stranger.principal);
    expect(refused.status).toBe(403);
    const deleted = await browserDownload(fileId("gone"), fixture.owner.principal);
    expect(deleted.status).toBe(404);
    expect((await deleted.json()).error.message).toMatch(/No such File object: file-gone/);
    expect((await browserDownload(fileId("nothing"), fixture.owner.principal)).status).toBe(404);
    expect((await browserDownload("../../etc/passwd", fixture.owner.principal)).status).toBe(404);
  });

  it("a session or key in one project cannot read another project's file (404), nor a key without jobs:read (403)", async () => {
    // The member of both projects asks in the context of the first: the foreign file is not there.
    const inProject = await browserDownload(fileId("foreign"), fixture.owner.principal, {
      "x-switchyard-project": fixture.project.id,
    });
    expect(inProject.status).toBe(404);
    const { key } = await makeApiKey(db, fixture.project.id);
    const withKey = await browserDownload(fileId("foreign"), null, { authorization: `Bearer ${key}` });
    expect(withKey.status).toBe(404);
    expect(await (await browserDownload(fileId("input"), null, { authorization: `Bearer ${key}` })).text()).toBe(
      CONTENT,
    );
    const narrow = await makeApiKey(
      db,
      fixture.project.id,
      SCOPES.filter((s) => s !== "jobs:read"),
    );
    const forbidden = await browserDownload(fileId("input"), null, { authorization: `Bearer ${narrow.key}` });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.message).toContain("jobs:read");
  });
});

describe("the request explorer's batch filter", () => {
  it("shows only the requests tagged with the batch", async () => {
    const writer = new RequestLogWriter({ connectionString: url, batchSize: 10 });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const now = Date.now();
      const entries = Array.from({ length: 5 }, (_, i) =>
        makeEntry({ id: randomUUID(), projectId: fixture.project.id, startedAt: new Date(now - i * 1000) }),
      );
      for (const entry of entries) writer.record(entry);
      await writer.flush();
      const tagged = entries.slice(0, 2).map((e) => e.id);
      await pool.query("UPDATE request_log SET batch_id = $1 WHERE id = ANY($2::uuid[])", [
        `batch_${"1".padStart(24, "0")}`,
        tagged,
      ]);
      const page = await searchRequests(
        { pool },
        {
          projectId: fixture.project.id,
          from: new Date(now - 60_000),
          to: new Date(now + 60_000),
          batch: `batch_${"1".padStart(24, "0")}`,
        },
      );
      expect(page.items.map((r) => r.id).sort()).toEqual([...tagged].sort());
      const all = await searchRequests(
        { pool },
        { projectId: fixture.project.id, from: new Date(now - 60_000), to: new Date(now + 60_000) },
      );
      expect(all.items).toHaveLength(5);
    } finally {
      await writer.close();
      await pool.end();
    }
  });
});
