/**
 * `npm run worker` as operators scale it out: two worker processes (the esbuild bundle, as users run it) share
 * one queue. A batch runs on one of them; that one is killed with SIGKILL mid-batch; the other resumes it from
 * the lines already stored. The output then has every custom_id exactly once and the request log exactly one
 * row per line — no loss, no duplicate.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { batchRoutes } from "@/server/modules/batches/routes";
import { chatLine, storeInputFile } from "@/server/modules/batches/testing";
import { type StandaloneGateway, startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-workers-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
// Every process here notices a dead worker's job within a couple of seconds of its last heartbeat.
process.env.SWITCHYARD_JOBS_SUPERVISE_S = "1";
process.env.SWITCHYARD_JOBS_MONITOR_S = "1";

let db: Db;
let url: string;
withTestDatabase(async (client, databaseUrl) => {
  db = client;
  url = databaseUrl;
  await jobEngine(url);
});

let upstream: FakeUpstream;
let gateway: StandaloneGateway;
let client: OpenAI;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
const workers: { child: ChildProcess; output: string[] }[] = [];

function startWorker(): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, [path.resolve("scripts/run.mjs"), "scripts/worker.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_BATCH_CONCURRENCY: "4",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => output.push(String(chunk)));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}): ${output.join("")}`)));
    lines.on("line", (line) => {
      output.push(line);
      if (line.includes("runs batch")) resolve({ child, output });
    });
  });
}

beforeAll(async () => {
  // 20 ms a line at 4 lines at once: the batch takes seconds, long enough to kill its worker mid-way.
  upstream = await startFakeUpstream(async (req, res) => {
    await new Promise((r) => setTimeout(r, 20));
    const last = (req.body as { messages: { content: string }[] }).messages.at(-1)!.content;
    await reply(req, res, [`echo ${last}`]);
  });
  fixture = await gatewayFixture(db, upstream.origin);
  gateway = await startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: new MemorySink(),
    promptCache: null,
    extensions: [batchRoutes],
  });
  client = new OpenAI({ apiKey: fixture.key, baseURL: `${gateway.origin}/v1`, maxRetries: 0 });
  workers.push(...(await Promise.all([startWorker(), startWorker()])));
}, 90_000);

afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await stopJobEngine(0);
  await gateway?.close();
  await upstream?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const jobIdOf = (batch: object) => (batch as { switchyard: { job_id: string } }).switchyard.job_id;

describe("npm run worker, two processes, one killed", () => {
  it("completes the batch with every custom_id exactly once and one log row per line", async () => {
    const total = 600;
    const inputFileId = await storeInputFile(
      db,
      fixture.project.id,
      Array.from({ length: total }, (_, i) => chatLine(`line-${i}`, "fake-gpt", `n${i}`)),
    );
    const batch = await client.batches.create({
      input_file_id: inputFileId,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    });

    // Wait until a worker has stored part of it, then kill that worker outright.
    let owner: string | null = null;
    for (let i = 0; i < 600 && !owner; i++) {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobIdOf(batch) } });
      const stored = await db.batchItem.count({ where: { batchId: batch.id } });
      if (job.worker && stored >= 50) owner = job.worker;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(owner).not.toBeNull();
    const pid = Number(owner!.split(":").at(-1));
    const victim = workers.find((w) => w.child.pid === pid);
    expect(victim).toBeDefined();
    victim!.child.kill("SIGKILL");
    const storedAtKill = await db.batchItem.count({ where: { batchId: batch.id } });
    expect(storedAtKill).toBeLessThan(total);

    let done = await client.batches.retrieve(batch.id);
    for (let i = 0; i < 600 && !["completed", "failed", "cancelled", "expired"].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 200));
      done = await client.batches.retrieve(batch.id);
    }
    expect(done.status).toBe("completed");
    expect(done.request_counts).toEqual({ total, completed: total, failed: 0 });

    // The batch is marked completed by its executor; the job row is finished by the runtime just after the executor
    // returns, so wait for that write rather than reading it in the gap.
    let job = await db.job.findUniqueOrThrow({ where: { id: jobIdOf(batch) } });
    for (let i = 0; i < 100 && job.state !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await db.job.findUniqueOrThrow({ where: { id: jobIdOf(batch) } });
    }
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    const survivor = workers.find((w) => w !== victim)!;
    expect(job.worker === null && job.state === "succeeded").toBe(true);
    expect(survivor.child.exitCode).toBeNull();

    const file = await db.storedFile.findUniqueOrThrow({ where: { id: done.output_file_id! } });
    const text = await (await client.files.content(file.id)).text();
    const lines = text
      .trim()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            custom_id: string;
            response: { request_id: string; body: { choices: { message: { content: string } }[] } };
          },
      );
    expect(lines).toHaveLength(total);
    expect(new Set(lines.map((l) => l.custom_id)).size).toBe(total);
    for (const [i, line] of lines.entries()) {
      expect(line.custom_id).toBe(`line-${i}`);
      expect(line.response.body.choices[0].message.content).toBe(`echo n${i}`);
    }
    const rows = await db.requestLog.findMany({ where: { batchId: batch.id }, select: { id: true } });
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(lines.map((l) => l.response.request_id)));
  }, 180_000);
});
