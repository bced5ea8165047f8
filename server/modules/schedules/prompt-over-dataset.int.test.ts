// A schedule's prompt-over-dataset run end to end on real workers: the dataset version's rows go through the
// batch executor (the gateway pipeline in-process, a fake upstream speaking OpenAI's wire format) and come
// back as a new version of the dataset, or as the batch's output file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { batchKind } from "@/server/modules/batches/executor";
import { importQuery } from "@/server/modules/datasets/schemas";
import { importDataset } from "@/server/modules/datasets/service";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { ACTION_KINDS } from "./actions";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-schedule-batches-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

let db: Db;
let fake: FakeUpstream;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof gatewayFixture>>;
let datasetId: string;
let versionId: string;

withTestDatabase(async (created, url) => {
  db = created;
  await jobEngine(url);
  fake = await startFakeUpstream(async (req, res) => {
    const last = (req.body as { messages?: { content: string }[] }).messages?.at(-1)?.content ?? "";
    await reply(req, res, [`label for <${last}>`]);
  });
  fixture = await gatewayFixture(db, fake.origin);
  const prompt = await fixture.caller.prompts.create({
    name: "classify",
    type: "chat",
    template: [{ role: "user", content: "Classify: {{ input }}" }],
    config: { model: "fake-gpt@production" },
  });
  await fixture.caller.prompts.moveLabel({ promptId: prompt.promptId, label: "production", version: 1 });
  const rows = ["great product", "broken on arrival", "fine, I guess"].map((text) =>
    JSON.stringify({
      messages: [
        { role: "user", content: text },
        { role: "assistant", content: "unlabelled" },
      ],
    }),
  );
  const imported = await importDataset(
    { db, caller: systemCaller(fixture.project.id) },
    {
      ...importQuery.parse({ name: "reviews", format: "chat" }),
      source: [new TextEncoder().encode(`${rows.join("\n")}\n`)],
    },
  );
  datasetId = imported.datasetId;
  versionId = imported.version.id;
  workers = await startJobWorkers(db, [batchKind, ...Object.values(ACTION_KINDS)] as never);
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function finishedJob(id: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await db.job.findUniqueOrThrow({ where: { id } });
    if (["succeeded", "failed", "cancelled"].includes(job.state) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function scheduleAndRun(name: string, output: "dataset_version" | "file") {
  const schedule = await fixture.caller.schedules.create({
    name,
    cron: "0 3 * * *",
    action: "prompt_over_dataset",
    config: { prompt: "classify", datasetVersionId: versionId, output },
  } as never);
  const run = await fixture.caller.schedules.runNow({ id: schedule.id });
  return finishedJob(run.jobId!);
}

describe("prompt over dataset", () => {
  it("runs the prompt over every row as a batch and stores the replies as a new version of the dataset", async () => {
    const job = await scheduleAndRun("nightly labels", "dataset_version");
    expect(job.lastError).toBeNull();
    expect(job.state).toBe("succeeded");
    const result = job.result as { batchId: string; datasetVersionId: string; rows: number; failed: number };
    expect(result).toMatchObject({ rows: 3, failed: 0 });
    const batch = await db.batch.findUniqueOrThrow({ where: { id: result.batchId } });
    expect(batch).toMatchObject({ status: "completed", completedCount: 3, apiKeyId: null });
    expect(await db.requestLog.count({ where: { batchId: batch.id } })).toBe(3);

    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: result.datasetVersionId } });
    expect(version).toMatchObject({ datasetId, version: 2, exampleCount: 3 });
    const rows = await db.datasetVersionExample.findMany({
      where: { versionId: version.id },
      orderBy: { position: "asc" },
      include: { example: true },
    });
    expect(rows.map((r) => (r.example.example as { messages: { content: string }[] }).messages)).toEqual(
      ["great product", "broken on arrival", "fine, I guess"].map((text) => [
        { role: "user", content: text },
        { role: "assistant", content: `label for <Classify: ${text}>` },
      ]),
    );
  });

  it("keeps the outputs as the batch's file when asked", async () => {
    const job = await scheduleAndRun("labels as a file", "file");
    expect(job.state).toBe("succeeded");
    const result = job.result as { outputFileId: string | null; errorFileId: string | null };
    expect(result.outputFileId).toMatch(/^file-/);
    expect(result.errorFileId).toBeNull();
    expect(await db.datasetVersion.count({ where: { datasetId } })).toBe(2);
  });
});
