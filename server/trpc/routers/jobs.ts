import { jobDetailOut, jobIdInput, jobOut, listJobsInput, listJobsOut } from "@/lib/jobs";
import { JOB_KINDS } from "@/server/job-kinds";
import { cancelJob, getJob, listJobs, retryJob } from "@/server/modules/jobs/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Jobs"];

/** Background jobs: batches, schedules' runs, maintenance. */
export const jobsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "jobs:read", openapi: { method: "GET", path: "/jobs", tags, summary: "Jobs, newest first" } })
    .input(listJobsInput)
    .output(listJobsOut)
    .query(({ ctx, input }) => listJobs(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "jobs:read",
      openapi: { method: "GET", path: "/jobs/{id}", tags, summary: "A job with its payload, result and log" },
    })
    .input(jobIdInput)
    .output(jobDetailOut)
    .query(({ ctx, input }) => getJob(ctx, input)),

  cancel: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: {
        method: "POST",
        path: "/jobs/{id}/cancel",
        tags,
        summary: "Cancel a job (a running one stops within a second and keeps what it finished)",
      },
    })
    .input(jobIdInput)
    .output(jobOut)
    .mutation(({ ctx, input }) => cancelJob(ctx, input)),

  retry: projectProcedure
    .meta({
      scope: "jobs:write",
      openapi: {
        method: "POST",
        path: "/jobs/{id}/retry",
        tags,
        summary: "Run a failed or cancelled job again from its checkpoint",
      },
    })
    .input(jobIdInput)
    .output(jobOut)
    .mutation(({ ctx, input }) => retryJob(ctx, input, JOB_KINDS)),
});
