import { z } from "zod";
import {
  createScheduleInput,
  listSchedulesInput,
  listSchedulesOut,
  scheduleDetailOut,
  scheduleIdInput,
  scheduleOut,
  scheduleRunOut,
  updateScheduleInput,
} from "@/lib/schedules";
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  runScheduleNow,
  setSchedulePaused,
  updateSchedule,
} from "@/server/modules/schedules/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Schedules"];

/** Cron schedules that start jobs (a prompt over a dataset, ...), with their run history. */
export const schedulesRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "jobs:read",
      openapi: { method: "GET", path: "/schedules", tags, summary: "Schedules with their next and last runs" },
    })
    .input(listSchedulesInput)
    .output(listSchedulesOut)
    .query(({ ctx, input }) => listSchedules(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "jobs:read",
      openapi: {
        method: "GET",
        path: "/schedules/{id}",
        tags,
        summary: "A schedule with its next fire times and recent runs (with their jobs' states)",
      },
    })
    .input(scheduleIdInput)
    .output(scheduleDetailOut)
    .query(({ ctx, input }) => getSchedule(ctx, input)),

  create: projectProcedure
    .meta({ scope: "jobs:write", openapi: { method: "POST", path: "/schedules", tags, summary: "Create a schedule" } })
    .input(createScheduleInput)
    .output(scheduleOut)
    .mutation(({ ctx, input }) => createSchedule(ctx, input)),

  update: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: {
        method: "PATCH",
        path: "/schedules/{id}",
        tags,
        summary: "Change a schedule (a new cron counts from now)",
      },
    })
    .input(updateScheduleInput)
    .output(scheduleDetailOut)
    .mutation(({ ctx, input }) => updateSchedule(ctx, input)),

  pause: projectProcedure
    .meta({ scope: "jobs:write", openapi: { method: "POST", path: "/schedules/{id}/pause", tags, summary: "Pause" } })
    .input(scheduleIdInput)
    .output(scheduleDetailOut)
    .mutation(({ ctx, input }) => setSchedulePaused(ctx, input, true)),

  resume: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: {
        method: "POST",
        path: "/schedules/{id}/resume",
        tags,
        summary: "Resume (the next run counts from now; paused time is not caught up)",
      },
    })
    .input(scheduleIdInput)
    .output(scheduleDetailOut)
    .mutation(({ ctx, input }) => setSchedulePaused(ctx, input, false)),

  runNow: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: {
        method: "POST",
        path: "/schedules/{id}/run",
        tags,
        summary: "Start a run now, under the schedule's concurrency policy",
      },
    })
    .input(scheduleIdInput)
    .output(scheduleRunOut)
    .mutation(({ ctx, input }) => runScheduleNow(ctx, input)),

  delete: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: { method: "DELETE", path: "/schedules/{id}", tags, summary: "Delete a schedule and its run history" },
    })
    .input(scheduleIdInput)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => deleteSchedule(ctx, input)),
});
