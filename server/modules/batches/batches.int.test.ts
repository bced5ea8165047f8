/**
 * OpenAI's Batch API through the real gateway (node:http) with the unmodified `openai` SDK, executed by real
 * pg-boss workers: local ONNX and upstream lines, prompts with variables, per-line errors in the error file,
 * one request-log row per line tagged with the batch, cancel keeping partial results, list paging.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { batchKind } from "./executor";
import { batchRoutes } from "./routes";
import { chatLine, storeInputFile } from "./testing";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-batches-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let slowMs = 0;

withTestDatabase(async (created, url) => {
  db = created;
  await jobEngine(url);
});

beforeAll(async () => {
  fake = await startFakeUpstream(async (req, res) => {
    const last = (req.body as { messages?: { content: string }[] }).messages?.at(-1)?.content ?? "";
    if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
    await reply(req, res, [`echo: ${last}`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: new MemorySink(),
    promptCache: null,
    extensions: [batchRoutes],
  });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  workers = await startJobWorkers(db, [batchKind as never]);
});
afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await gateway?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function finished(id: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (["completed", "failed", "expired", "cancelled"].includes(batch.status) || Date.now() > deadline) return batch;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function fileLines(projectId: string, fileId: string | null | undefined) {
  expect(fileId).toBeTruthy();
  const file = await client.files.retrieve(fileId!);
  expect(file.purpose).toBe("batch_output");
  expect((await db.storedFile.findUniqueOrThrow({ where: { id: fileId! } })).projectId).toBe(projectId);
  const text = await (await client.files.content(fileId!)).text();
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("/v1/batches", () => {
  it("runs every line through the gateway: one output line per input line in OpenAI's shape", async () => {
    const lines = [
      chatLine("up-1", "fake-gpt", "first"),
      chatLine("local-1", "switchyard-demo", "Hello", { max_tokens: 8 }),
      {
        custom_id: "prompt-1",
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "prompt:support/reply", variables: { customer: "Ada", ticket: "T-1" }, messages: [] },
      },
      chatLine("up-2", "fake-gpt", "second"),
    ];
    const input = path.join(dataDir, "requests.jsonl");
    await writeFile(input, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const uploaded = await client.files.create({ file: createReadStream(input), purpose: "batch" });
    const inputFileId = uploaded.id;
    const created = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { purpose: "test" },
    });
    expect(created.status).toBe("validating");
    expect(created.id).toMatch(/^batch_/);
    expect(created.metadata).toEqual({ purpose: "test" });
    const done = await finished(created.id);
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total: 4, completed: 4, failed: 0 });
    expect(done.error_file_id).toBeNull();
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
    const output = await fileLines(fixture.project.id, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(["up-1", "local-1", "prompt-1", "up-2"]);
    for (const line of output) {
      expect(line.id).toMatch(/^batch_req_/);
      expect(line.error).toBeNull();
      expect(line.response.status_code).toBe(200);
      expect(line.response.request_id).toBeTruthy();
      expect(line.response.body.object).toBe("chat.completion");
    }
    expect(output[0].response.body.choices[0].message.content).toBe("echo: first");
    expect(output[2].response.body.choices[0].message.content).toBe("echo: Ticket: T-1");
    // Exactly one request-log row per line, tagged with the batch, ids matching the output's request ids.
    const rows = await db.requestLog.findMany({ where: { batchId: created.id } });
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(output.map((l) => l.response.request_id)));
    expect(rows.every((r) => r.projectId === fixture.project.id && r.status === 200)).toBe(true);
  });

  it("puts failed lines in the error file and completes with no output file when every line failed", async () => {
    const inputFileId = await storeInputFile(db, fixture.project.id, [
      chatLine("a", "no-such-model", "x"),
      chatLine("b", "fake-gpt", "x", { temperature: 9 }),
    ]);
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });
    const done = await finished(batch.id);
    expect(done.status).toBe("completed");
    expect(done.output_file_id).toBeNull();
    expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    const errors = await fileLines(fixture.project.id, done.error_file_id);
    expect(errors.map((l) => l.custom_id)).toEqual(["a", "b"]);
    expect(errors[0].response.status_code).toBe(404);
    expect(errors[0].error.message).toMatch(/no-such-model/);
    expect(errors[1].response.status_code).toBe(400);
    expect(await db.requestLog.count({ where: { batchId: batch.id } })).toBe(2);
  });

  it("refuses an input file with bad lines at upload, naming every one", async () => {
    const input = path.join(dataDir, "bad.jsonl");
    const good = JSON.stringify(chatLine("ok", "fake-gpt", "x"));
    await writeFile(
      input,
      `${good}\nnot json\n${JSON.stringify({ custom_id: "ok", method: "POST", url: "/v1/chat/completions", body: { model: "m", messages: [] } })}\n${JSON.stringify({ custom_id: "x", method: "GET", url: "/v1/chat/completions", body: {} })}\n`,
    );
    const refused = await client.files.create({ file: createReadStream(input), purpose: "batch" }).catch((e) => e);
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/line 2/);
    expect(refused.message).toMatch(/line 3/);
    expect(refused.message).toMatch(/line 4/);
  });

  it("fails a batch whose lines ask for another endpoint, naming the lines", async () => {
    const inputFileId = await storeInputFile(db, fixture.project.id, [chatLine("a", "fake-gpt", "x")]);
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/embeddings",
      completion_window: "24h",
    });
    const done = await finished(batch.id);
    expect(done.status).toBe("failed");
    expect(done.errors?.data?.[0]).toMatchObject({ code: "mismatched_endpoint", line: 1 });
  });

  it("cancel mid-run keeps the results already produced", async () => {
    slowMs = 100;
    try {
      const lines = Array.from({ length: 300 }, (_, i) => chatLine(`c-${i}`, "fake-gpt", `n${i}`));
      const inputFileId = await storeInputFile(db, fixture.project.id, lines);
      const batch = await client.batches.create({
        input_file_id: inputFileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
      });
      for (;;) {
        const now = await client.batches.retrieve(batch.id);
        if (now.request_counts && now.request_counts.completed > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const cancelling = await client.batches.cancel(batch.id);
      expect(["cancelling", "cancelled"]).toContain(cancelling.status);
      const done = await finished(batch.id);
      expect(done.status).toBe("cancelled");
      expect(done.cancelled_at).toBeTruthy();
      const kept = done.request_counts!.completed;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(300);
      const output = await fileLines(fixture.project.id, done.output_file_id);
      expect(output).toHaveLength(kept);
      expect(new Set(output.map((l) => l.custom_id)).size).toBe(kept);
      expect(await db.requestLog.count({ where: { batchId: batch.id } })).toBe(kept);
      await expect(client.batches.cancel(batch.id)).rejects.toThrow(/Cannot cancel a batch with status 'cancelled'/);
    } finally {
      slowMs = 0;
    }
  });

  it("lists batches newest first, paged with after and limit; other projects see none of them", async () => {
    const first = await client.batches.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    const next = await client.batches.list({ limit: 2, after: first.data[1].id });
    expect(next.data[0].id).not.toBe(first.data[1].id);
    const all = [];
    for await (const b of client.batches.list({ limit: 1 })) all.push(b.id);
    expect(all.length).toBe(4);
    expect(new Set(all).size).toBe(4);
    const other = await makeProject(db, "Elsewhere");
    const otherKey = (await makeApiKey(db, other.project.id, ["gateway:invoke"])).key;
    const stranger = new OpenAI({ apiKey: otherKey, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
    expect((await stranger.batches.list()).data).toEqual([]);
    await expect(stranger.batches.retrieve(all[0])).rejects.toMatchObject({ status: 404 });
  });

  it("refuses bad requests with a 4xx naming the field", async () => {
    await expect(
      client.batches.create({ input_file_id: "file-nope", endpoint: "/v1/chat/completions", completion_window: "24h" }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      client.batches.create({
        input_file_id: "file-nope",
        endpoint: "/v1/moderations" as never,
        completion_window: "24h",
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(client.batches.retrieve("batch_missing")).rejects.toMatchObject({ status: 404 });
  });
});
