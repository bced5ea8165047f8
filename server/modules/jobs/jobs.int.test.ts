// The job runtime on a real Postgres with real pg-boss workers: retries with backoff then the dead letter,
// checkpoints a later attempt resumes from, cancellation that reaches running work, idempotency keys, the
// per-project limit, and the console's procedures (list, get, cancel, retry) with their scopes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { callerFor, makeProject } from "@/server/testing/factories";
import { jobEngine, stopJobEngine } from "./engine";
import { enqueueJob } from "./enqueue";
import { defineJobKind, PermanentJobError } from "./kinds";
import { type JobWorkers, startJobWorkers } from "./workers";

let db: Db;
let projectId: string;
let ownerId: string;
let workers: JobWorkers;
const running = new Map<string, number>();
let peakPerProject = 0;

const counter = defineJobKind({
  kind: "test.counter",
  payload: z.object({
    n: z.number().int(),
    failUntilAttempt: z.number().int().default(0),
    stepMs: z.number().default(5),
  }),
  perProject: 2,
  perProcess: 4,
  maxAttempts: 3,
  timeoutSeconds: 30,
  retryDelaySeconds: 1,
  async run(ctx) {
    const { n, failUntilAttempt, stepMs } = ctx.job.payload;
    const now = (running.get(ctx.job.projectId ?? "") ?? 0) + 1;
    running.set(ctx.job.projectId ?? "", now);
    peakPerProject = Math.max(peakPerProject, now);
    try {
      let i = (ctx.job.checkpoint as { i?: number } | null)?.i ?? 0;
      const startedAt = i;
      for (; i < n; i++) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        await new Promise((r) => setTimeout(r, stepMs));
        if (i === Math.floor(n / 2) && ctx.job.attempt <= failUntilAttempt) {
          await ctx.checkpoint({ i });
          throw new Error(`boom on attempt ${ctx.job.attempt}`);
        }
        ctx.progress(i + 1, n);
      }
      ctx.log(`counted from ${startedAt} to ${n}`);
      return { startedAt, counted: n };
    } finally {
      running.set(ctx.job.projectId ?? "", (running.get(ctx.job.projectId ?? "") ?? 1) - 1);
    }
  },
});

const broken = defineJobKind({
  kind: "test.broken",
  payload: z.object({}),
  perProject: 1,
  perProcess: 1,
  maxAttempts: 5,
  timeoutSeconds: 30,
  retryDelaySeconds: 1,
  async run() {
    throw new PermanentJobError("the input is wrong");
  },
});

const by = { userId: null, label: "test" };

withTestDatabase(async (created, url) => {
  db = created;
  const made = await makeProject(db);
  projectId = made.project.id;
  ownerId = made.owner.user.id;
  await jobEngine(url);
  workers = await startJobWorkers(db, [counter, broken] as never);
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const job = (id: string) => db.job.findUniqueOrThrow({ where: { id } });

describe("job runtime", () => {
  it("runs a job to the end with progress, log and result", async () => {
    const { id } = await enqueueJob(db, counter, {
      projectId,
      payload: { n: 10, failUntilAttempt: 0, stepMs: 5 },
      createdBy: by,
    });
    const done = await until(
      () => job(id),
      (j) => j.state === "succeeded",
    );
    expect(done.state).toBe("succeeded");
    expect(done.attempts).toBe(1);
    expect(done.progressDone).toBe(10);
    expect(done.progressTotal).toBe(10);
    expect(done.result).toEqual({ startedAt: 0, counted: 10 });
    expect(JSON.stringify(done.logs)).toContain("counted from 0 to 10");
    expect(done.finishedAt).not.toBeNull();
  });

  it("retries a failed attempt after a backoff and resumes from the checkpoint", async () => {
    const { id } = await enqueueJob(db, counter, {
      projectId,
      payload: { n: 20, failUntilAttempt: 1, stepMs: 2 },
      createdBy: by,
    });
    const done = await until(
      () => job(id),
      (j) => j.state === "succeeded",
    );
    expect(done.state).toBe("succeeded");
    expect(done.attempts).toBe(2);
    expect(done.lastError).toBe("boom on attempt 1");
    expect(done.result).toEqual({ startedAt: 10, counted: 20 });
  });

  it("dead-letters a job whose every attempt failed, with the last error", async () => {
    const { id } = await enqueueJob(db, counter, {
      projectId,
      payload: { n: 4, failUntilAttempt: 9, stepMs: 1 },
      createdBy: by,
    });
    const done = await until(
      () => job(id),
      (j) => j.state === "failed",
      60_000,
    );
    expect(done.state).toBe("failed");
    expect(done.attempts).toBe(3);
    expect(done.lastError).toBe("boom on attempt 3");
  });

  it("fails a permanent error at once, without retrying", async () => {
    const { id } = await enqueueJob(db, broken, { projectId, payload: {}, createdBy: by });
    const done = await until(
      () => job(id),
      (j) => j.state === "failed",
    );
    expect(done.attempts).toBe(1);
    expect(done.lastError).toBe("the input is wrong");
  });

  it("returns the same job for the same idempotency key", async () => {
    const input = {
      projectId,
      payload: { n: 1, failUntilAttempt: 0, stepMs: 1 },
      createdBy: by,
      idempotencyKey: "nightly-1",
    };
    const [a, b] = await Promise.all([enqueueJob(db, counter, input), enqueueJob(db, counter, input)]);
    expect(a.id).toBe(b.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await db.job.count({ where: { projectId, idempotencyKey: "nightly-1" } })).toBe(1);
  });

  it("cancels a running job within a second, through the console's procedure", async () => {
    const { id } = await enqueueJob(db, counter, {
      projectId,
      payload: { n: 100_000, failUntilAttempt: 0, stepMs: 5 },
      createdBy: by,
    });
    await until(
      () => job(id),
      (j) => j.state === "running" && j.progressDone > 0,
    );
    const owner = callerFor(db, { kind: "user", userId: ownerId, email: "owner@test", name: "Owner" }, projectId);
    const asked = await owner.jobs.cancel({ id });
    expect(asked.state).toBe("cancelling");
    const asked_at = Date.now();
    const done = await until(
      () => job(id),
      (j) => j.state === "cancelled",
      5_000,
    );
    expect(done.state).toBe("cancelled");
    expect(Date.now() - asked_at).toBeLessThan(3_000);
    expect(done.progressDone).toBeLessThan(100_000);
    await expect(owner.jobs.cancel({ id })).rejects.toThrow(/already cancelled/);
    // Retry runs it again from its checkpoint (none saved here: from the start), with fresh attempts.
    const again = await owner.jobs.retry({ id });
    expect(again.state).toBe("queued");
    await until(
      () => job(id),
      (j) => j.state === "running",
    );
    await owner.jobs.cancel({ id });
    expect(
      (
        await until(
          () => job(id),
          (j) => j.state === "cancelled",
        )
      ).state,
    ).toBe("cancelled");
  });

  it("cancels a queued job before it starts, and lists jobs newest first with paging", async () => {
    const owner = callerFor(db, { kind: "user", userId: ownerId, email: "owner@test", name: "Owner" }, projectId);
    const later = new Date(Date.now() + 60_000);
    const { id } = await enqueueJob(db, counter, {
      projectId,
      payload: { n: 1, failUntilAttempt: 0, stepMs: 1 },
      createdBy: by,
      startAfter: later,
    });
    expect((await owner.jobs.cancel({ id })).state).toBe("cancelled");
    const first = await owner.jobs.list({ limit: 2 });
    expect(first.items[0].id).toBe(id);
    expect(first.items).toHaveLength(2);
    const second = await owner.jobs.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((j) => j.id)).not.toContain(id);
    const detail = await owner.jobs.get({ id });
    expect(detail.payload).toEqual({ n: 1, failUntilAttempt: 0, stepMs: 1 });
    await expect(owner.jobs.get({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toThrow(/not found/i);
  });

  it("runs at most perProject jobs of one project at once", async () => {
    peakPerProject = 0;
    const ids = await Promise.all(
      Array.from({ length: 6 }, () =>
        enqueueJob(db, counter, { projectId, payload: { n: 20, failUntilAttempt: 0, stepMs: 10 }, createdBy: by }),
      ),
    );
    for (const { id } of ids)
      await until(
        () => job(id),
        (j) => j.state === "succeeded",
      );
    expect(peakPerProject).toBeGreaterThan(0);
    expect(peakPerProject).toBeLessThanOrEqual(2);
  });
});

beforeAll(() => {});
