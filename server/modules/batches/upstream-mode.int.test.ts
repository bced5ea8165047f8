/**
 * Upstream mode: a batch forwarded whole to an upstream's own Batch API (a local server speaking OpenAI's Files
 * and Batches wire format), polled, its results brought back into the same output file, items and log rows.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { batchKind } from "./executor";
import { batchRoutes } from "./routes";
import { chatLine, storeInputFile } from "./testing";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-upstream-batches-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_UPSTREAM_BATCH_POLL_MS = "100";

/** The upstream's Batch API: files in memory, a batch completes on its third poll (or cancels when asked). */
const files = new Map<string, string>();
const batches = new Map<
  string,
  { input: string; polls: number; status: string; output?: string; cancelled?: boolean }
>();
const seen: { method: string; url: string; auth: string | undefined }[] = [];
let upstream: Server;
let origin: string;

function answerLines(input: string, take: number) {
  return input
    .trim()
    .split("\n")
    .slice(0, take)
    .map((text, i) => {
      const line = JSON.parse(text) as { custom_id: string; body: { model: string; messages: { content: string }[] } };
      const ok = line.body.messages[0].content !== "refuse";
      return JSON.stringify({
        id: `batch_req_up${i}`,
        custom_id: line.custom_id,
        response: ok
          ? {
              status_code: 200,
              request_id: `req_up${i}`,
              body: {
                id: `chatcmpl-up${i}`,
                object: "chat.completion",
                model: line.body.model,
                choices: [
                  {
                    index: 0,
                    message: { role: "assistant", content: `upstream batch: ${line.body.messages[0].content}` },
                    finish_reason: "stop",
                  },
                ],
                usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
              },
            }
          : {
              status_code: 400,
              request_id: `req_up${i}`,
              body: { error: { message: "refused upstream", type: "invalid_request_error" } },
            },
        error: null,
      });
    });
}

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && req.url === "/v1/files") {
      const form = await new Request("http://x", {
        method: "POST",
        headers: { "content-type": req.headers["content-type"]! },
        body: raw,
      }).formData();
      const file = form.get("file") as File;
      const id = `file-up${files.size}`;
      files.set(id, await file.text());
      return json(200, {
        id,
        object: "file",
        bytes: file.size,
        purpose: form.get("purpose"),
        filename: file.name,
        created_at: 1,
        status: "processed",
      });
    }
    if (req.method === "POST" && req.url === "/v1/batches") {
      const body = JSON.parse(raw.toString()) as { input_file_id: string };
      const id = `batch_up${batches.size}`;
      batches.set(id, { input: files.get(body.input_file_id)!, polls: 0, status: "validating" });
      return json(200, { id, object: "batch", status: "validating" });
    }
    const found = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(req.url!);
    if (found) {
      const b = batches.get(found[1])!;
      if (found[2]) {
        b.cancelled = true;
        b.status = "cancelling";
        return json(200, { id: found[1], object: "batch", status: b.status });
      }
      b.polls++;
      const total = b.input.trim().split("\n").length;
      if (b.status !== "completed" && b.status !== "cancelled") {
        if (b.cancelled && b.polls >= 2) {
          b.status = "cancelled";
          files.set(`file-out-${found[1]}`, `${answerLines(b.input, 1).join("\n")}\n`);
          b.output = `file-out-${found[1]}`;
        } else if (!b.cancelled && b.polls >= 3 && !b.input.includes("slow")) {
          b.status = "completed";
          files.set(`file-out-${found[1]}`, `${answerLines(b.input, total).join("\n")}\n`);
          b.output = `file-out-${found[1]}`;
        } else b.status = "in_progress";
      }
      return json(200, {
        id: found[1],
        object: "batch",
        status: b.status,
        output_file_id: b.output ?? null,
        error_file_id: null,
        request_counts: { total, completed: b.status === "completed" ? total : 0, failed: 0 },
      });
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(req.url!);
    if (content && files.has(content[1])) {
      res.writeHead(200, { "content-type": "application/jsonl" });
      return res.end(files.get(content[1]));
    }
    json(404, { error: { message: "not found", type: "invalid_request_error" } });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

let db: Db;
let gateway: StandaloneGateway;
let client: OpenAI;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
withTestDatabase(async (created, url) => {
  db = created;
  await jobEngine(url);
  fixture = await gatewayFixture(db, origin);
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
  await new Promise((r) => upstream.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

async function finished(id: string) {
  for (let i = 0; i < 300; i++) {
    const batch = await client.batches.retrieve(id);
    if (["completed", "failed", "expired", "cancelled"].includes(batch.status)) return batch;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the batch did not finish");
}

describe("upstream mode", () => {
  it("forwards the batch to the upstream's Batch API and brings its results back in the same shapes", async () => {
    const inputFileId = await storeInputFile(db, fixture.project.id, [
      chatLine("a", "fake-gpt", "one"),
      chatLine("b", "fake-gpt", "refuse"),
      chatLine("c", "fake-gpt@production", "three"),
    ]);
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { switchyard_mode: "upstream" },
    });
    const done = await finished(batch.id);
    expect(done.status).toBe("completed");
    const mode = (done as unknown as { switchyard: { mode: string; upstream_batch_id: string } }).switchyard;
    expect(mode.mode).toBe("upstream");
    expect(mode.upstream_batch_id).toMatch(/^batch_up/);
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    // The upstream got our lines with its own model id and the version's key, never the gateway's.
    const sent = [...batches.values()]
      .at(-1)!
      .input.trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(sent.map((l) => l.body.model)).toEqual(["fake-model", "fake-model", "fake-model"]);
    expect(seen.find((s) => s.url === "/v1/files")?.auth).toBe("Bearer sk-upstream-secret");

    const output = (await (await client.files.content(done.output_file_id!)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(output.map((l) => l.custom_id)).toEqual(["a", "c"]);
    expect(output[0].response.body.choices[0].message.content).toBe("upstream batch: one");
    const errors = (await (await client.files.content(done.error_file_id!)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      custom_id: "b",
      response: { status_code: 400 },
      error: { message: "refused upstream" },
    });
    const rows = await db.requestLog.findMany({ where: { batchId: batch.id } });
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.deployment?.startsWith("upstream-batch:"))).toBe(true);
    expect(
      rows.filter((r) => r.status === 200).every((r) => r.tokensIn === 10 && r.tokensOut === 5 && r.costUsd > 0),
    ).toBe(true);
  });

  it("cancels the upstream batch when ours is cancelled and keeps what it produced", async () => {
    const inputFileId = await storeInputFile(db, fixture.project.id, [
      chatLine("s1", "fake-gpt", "slow"),
      chatLine("s2", "fake-gpt", "slow"),
    ]);
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { switchyard_mode: "upstream" },
    });
    for (let i = 0; i < 100 && !(await db.batch.findUniqueOrThrow({ where: { id: batch.id } })).upstreamBatchId; i++)
      await new Promise((r) => setTimeout(r, 100));
    await client.batches.cancel(batch.id);
    const done = await finished(batch.id);
    expect(done.status).toBe("cancelled");
    expect([...batches.values()].at(-1)!.cancelled).toBe(true);
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 0 });
  });

  it("fails a batch that cannot be forwarded, saying which line", async () => {
    const inputFileId = await storeInputFile(db, fixture.project.id, [
      chatLine("a", "fake-gpt", "x"),
      chatLine("b", "switchyard-demo", "x"),
    ]);
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { switchyard_mode: "upstream" },
    });
    const done = await finished(batch.id);
    expect(done.status).toBe("failed");
    expect(JSON.stringify(done.errors)).toMatch(/Line 2: switchyard-demo is not an OpenAI-compatible upstream model/);
    await expect(
      client.batches.create({
        input_file_id: inputFileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { switchyard_mode: "sideways" },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
