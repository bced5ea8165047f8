// Finished system jobs are pruned by age (done after a day, failed after a week); running ones and every
// project's jobs stay.
import { expect, it } from "vitest";
import type { Db } from "@/server/db";
import { withTestDatabase } from "@/server/testing/db";
import { makeProject } from "@/server/testing/factories";
import { pruneSystemJobs } from "./prune";

let db: Db;
let projectId: string;
withTestDatabase(async (created) => {
  db = created;
  projectId = (await makeProject(db)).project.id;
});

it("deletes old finished system jobs only", async () => {
  const now = new Date("2026-12-06T12:00:00Z");
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const row = (name: string, state: string, finishedHoursAgo: number | null, project: string | null = null) => ({
    kind: name,
    state: state as never,
    projectId: project,
    createdByLabel: "test",
    finishedAt: finishedHoursAgo === null ? null : hoursAgo(finishedHoursAgo),
  });
  await db.job.createMany({
    data: [
      row("old-done", "succeeded", 25),
      row("old-cancelled", "cancelled", 30),
      row("recent-done", "succeeded", 23),
      row("failed-2d", "failed", 48),
      row("failed-8d", "failed", 8 * 24),
      row("running", "running", null),
      row("project-old", "succeeded", 24 * 30, projectId),
    ],
  });
  expect(await pruneSystemJobs(db, now)).toBe(3);
  const left = (await db.job.findMany({ select: { kind: true } })).map((j) => j.kind).sort();
  expect(left).toEqual(["failed-2d", "project-old", "recent-done", "running"]);
});
