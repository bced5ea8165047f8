// The stale fine-tuning sweep on the job runtime: jobs whose executor stopped heart-beating go back to the queue
// (and another executor claims them), fail after too many reclaims, and live executors are left alone.
import { afterAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import type { JobKind } from "@/server/modules/jobs/kinds";
import { enqueueForSlot } from "@/server/modules/jobs/periodic";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";
import { fineTuneStaleJob } from "./fine-tune-stale";

let db: Db;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof makeProject>>;
let base: string;
let data: string;
process.env.SWITCHYARD_FINETUNE_STALE_MINUTES = "10";
process.env.SWITCHYARD_FINETUNE_MAX_RECLAIMS = "2";

withTestDatabase(async (created, url) => {
  db = created;
  fixture = await makeProject(db);
  const model = await db.model.create({
    data: { projectId: fixture.project.id, name: "base", provider: "openai_compatible", task: "chat" },
  });
  base = (
    await db.modelVersion.create({
      data: {
        modelId: model.id,
        version: 1,
        endpointBaseUrl: "http://127.0.0.1:9/v1",
        upstreamModelId: "m",
        createdByLabel: "test",
      },
    })
  ).id;
  const dataset = await db.dataset.create({ data: { projectId: fixture.project.id, name: "ft", format: "chat" } });
  data = (
    await db.datasetVersion.create({
      data: {
        datasetId: dataset.id,
        version: 1,
        operation: "import",
        contentHash: "x",
        exampleCount: 0,
        createdByLabel: "t",
      },
    })
  ).id;
  await jobEngine(url);
  workers = await startJobWorkers(db, [fineTuneStaleJob] as JobKind<never>[]);
});
afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
});

const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

async function sweep(slot: Date) {
  const { id } = await enqueueForSlot(db, { kind: fineTuneStaleJob, everyMs: 60_000 }, slot);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const job = await db.job.findUniqueOrThrow({ where: { id } });
    if (["succeeded", "failed"].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the sweep did not finish");
}

async function runningJob(executor: string, heartbeat: Date) {
  const created = await owner().fineTuning.create({ baseModelVersionId: base, datasetVersionId: data });
  return db.fineTuneJob.update({
    where: { id: created.id },
    data: { status: "running", executor, claimedAt: heartbeat, heartbeatAt: heartbeat },
  });
}

describe("stale fine-tuning sweep", () => {
  it("puts a job whose executor went silent back in the queue, logged, and leaves live ones alone", async () => {
    const dead = await runningJob("gpu-dead", minutesAgo(30));
    const live = await runningJob("gpu-live", minutesAgo(1));
    const job = await sweep(new Date("2031-01-01T00:00:00Z"));
    expect(job.state).toBe("succeeded");
    expect(job.result).toEqual({ reclaimed: 1, failed: 0 });
    expect(JSON.stringify(job.logs)).toContain(`fine-tuning job ${dead.id}`);
    expect(JSON.stringify(job.logs)).toContain("gpu-dead");

    const requeued = await db.fineTuneJob.findUniqueOrThrow({ where: { id: dead.id } });
    expect(requeued).toMatchObject({ status: "queued", executor: null, reclaims: 1, error: null });
    expect(await db.fineTuneJob.findUniqueOrThrow({ where: { id: live.id } })).toMatchObject({
      status: "running",
      executor: "gpu-live",
      reclaims: 0,
    });
    // The dead executor's late report is refused; another executor claims the job.
    await expect(owner().fineTuning.progress({ id: dead.id, executor: "gpu-dead", progress: 0.5 })).rejects.toThrow(
      /queued/,
    );
    const claimed = await owner().fineTuning.claim({ executor: "gpu-new" });
    expect(claimed?.id).toBe(dead.id);
    const audit = await db.auditLog.findMany({ where: { targetId: dead.id, action: "fineTune.reclaim" } });
    expect(audit).toHaveLength(1);
    await db.fineTuneJob.update({ where: { id: live.id }, data: { status: "cancelled" } });
  });

  it("fails a job after the reclaim limit instead of handing it out again", async () => {
    const job = await runningJob("gpu-a", minutesAgo(30));
    for (const [i, slot] of ["2031-02-01T00:00:00Z", "2031-02-01T00:01:00Z"].entries()) {
      expect((await sweep(new Date(slot))).result).toEqual({ reclaimed: 1, failed: 0 });
      expect(await db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
        status: "queued",
        reclaims: i + 1,
      });
      await db.fineTuneJob.update({
        where: { id: job.id },
        data: { status: "running", executor: `gpu-${i}`, heartbeatAt: minutesAgo(30) },
      });
    }
    const last = await sweep(new Date("2031-02-01T00:02:00Z"));
    expect(last.result).toEqual({ reclaimed: 0, failed: 1 });
    expect(JSON.stringify(last.logs)).toContain("failed after 2 reclaims");
    const failed = await db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/stopped heart-beating 3 times/);
    expect(await owner().fineTuning.claim({ executor: "gpu-z" })).toBeNull();
  });
});
