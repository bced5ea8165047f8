// Transforms over large versions run as `dataset.transform` jobs (real pg-boss workers): the procedure answers
// with the job, which reports progress, records the new version in its result (and, in the version's own
// transaction, its checkpoint), and can be cancelled mid-run without leaving a partial version.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { handleDatasetImport } from "@/server/modules/datasets/http";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import type { JobKind } from "@/server/modules/jobs/kinds";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { inlineVersion } from "@/server/testing/transforms";
import { datasetTransformJob } from "./transform";

process.env.SWITCHYARD_DATASET_INLINE_ROWS = "50";
const LARGE = 400;

let db: Db;
let url: string;
let key: string;
let workers: JobWorkers;
let fixture: Awaited<ReturnType<typeof makeProject>>;
withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  fixture = await makeProject(db);
  key = (await makeApiKey(db, fixture.project.id)).key;
  await jobEngine(url);
  workers = await startJobWorkers(db, [datasetTransformJob] as JobKind<never>[]);
});
afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
});
const owner = () => callerFor(db, fixture.owner.principal, fixture.project.id);

/** A dataset of `n` chat examples (every third repeats, so dedupe has work); returns its first version's id. */
async function importVersion(name: string, n: number): Promise<string> {
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Question ${i % 3 === 2 ? i - 1 : i}: mail me at user${i}@example.com` },
        { role: "assistant", content: `Answer ${i % 3 === 2 ? i - 1 : i}` },
      ],
    }),
  );
  const response = await handleDatasetImport(
    new Request(`http://localhost/api/rest/datasets/import?name=${name}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/jsonl" },
      body: lines.join("\n"),
    }),
    { db, session: async () => null },
  );
  expect(response.status).toBe(201);
  return (await response.json()).version.id;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const job = (id: string) => db.job.findUniqueOrThrow({ where: { id } });

let large: string;
beforeAll(async () => {
  large = await importVersion("large", LARGE);
});

describe("dataset transforms as jobs", () => {
  it("keeps a version at or under the limit inline", async () => {
    const small = await importVersion("small", 50);
    const made = inlineVersion(await owner().datasets.transform({ operation: "dedupe", versionId: small }));
    expect(made).toMatchObject({ parentId: small, operation: "dedupe", job: null });
    expect(await db.job.count({ where: { kind: "dataset.transform", subjectId: small } })).toBe(0);
  });

  it("runs a large version's transform as a job with progress, and the job's result names the new version", async () => {
    const answer = await owner().datasets.transform({ operation: "mask", versionId: large });
    if (!answer.job) throw new Error("expected a job");
    expect(answer).toMatchObject({ job: { kind: "dataset.transform" }, sourceVersionId: large, examples: LARGE });

    const done = await until(
      () => job(answer.job.id),
      (j) => j.state === "succeeded" || j.state === "failed",
    );
    expect(done).toMatchObject({
      state: "succeeded",
      projectId: fixture.project.id,
      subjectType: "dataset_version",
      subjectId: large,
      progressDone: LARGE,
      progressTotal: LARGE,
    });
    const result = done.result as { versionId: string; version: number; exampleCount: number };
    expect(result).toMatchObject({ version: 2, exampleCount: LARGE });
    // The checkpoint was written in the version's transaction: a later attempt would return this version.
    expect(done.checkpoint).toEqual({ versionId: result.versionId });
    const version = await db.datasetVersion.findUniqueOrThrow({ where: { id: result.versionId } });
    expect(version).toMatchObject({ parentId: large, operation: "mask", exampleCount: LARGE });
    const first = await owner().datasets.examples({ versionId: result.versionId, page: 1, pageSize: 1 });
    expect(JSON.stringify(first.items[0].example)).toContain("<EMAIL_1>");

    // Run again (as a retry after a worker died past the commit would): the recorded version, not a second one.
    const versions = await db.datasetVersion.count();
    await db.job.update({ where: { id: answer.job.id }, data: { state: "failed" } });
    await owner().jobs.retry({ id: answer.job.id });
    const again = await until(
      () => job(answer.job.id),
      (j) => j.state === "succeeded" || j.state === "failed",
    );
    expect(again.state).toBe("succeeded");
    expect((again.result as { versionId: string }).versionId).toBe(result.versionId);
    expect(await db.datasetVersion.count()).toBe(versions);

    // Visible from the thing it works on.
    const listed = await owner().jobs.list({ subjectType: "dataset_version", subjectId: large, limit: 10 });
    expect(listed.items.map((j) => j.id)).toContain(answer.job.id);
  });

  it("cancels a running transform without leaving a partial version", async () => {
    const before = await db.datasetVersion.count();
    // Hold the new version's insert back (SHARE blocks inserts, not reads) so the job is caught mid-run.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE dataset_versions IN SHARE MODE");
      const answer = await owner().datasets.transform({ operation: "dedupe", versionId: large });
      if (!answer.job) throw new Error("expected a job");
      const id = answer.job.id;
      await until(
        () => job(id),
        (j) => j.state === "running",
      );
      expect((await owner().jobs.cancel({ id })).state).toBe("cancelling");
      // The worker sees the request within its cancel poll (1 s); then let the insert through.
      await new Promise((r) => setTimeout(r, 2500));
      await blocker.query("ROLLBACK");
      const done = await until(
        () => job(id),
        (j) => j.state === "cancelled" || j.state === "succeeded",
      );
      expect(done.state).toBe("cancelled");
      expect(done.result).toBeNull();
      expect(await db.datasetVersion.count()).toBe(before);
    } finally {
      await blocker.end();
    }
  });
});
