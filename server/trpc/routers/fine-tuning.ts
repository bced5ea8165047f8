import { z } from "zod";
import {
  claimJob,
  completeJob,
  createJob,
  createJobInput,
  jobListItem,
  jobOut,
  listBaseVersions,
  listJobs,
  reportProgress,
} from "@/server/modules/datasets/jobs";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Fine-tuning"];
const executor = z.string().trim().min(1).max(100);

/** Jobs are run by executors outside the app, which claim them, report progress and upload the result over this API. */
export const fineTuningRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: { method: "GET", path: "/fine-tuning/jobs", tags, summary: "Fine-tuning jobs" },
    })
    .input(z.object({}))
    .output(z.array(jobListItem))
    .query(({ ctx }) => listJobs(ctx)),

  baseVersions: projectProcedure
    .meta({
      scope: "models:read",
      openapi: {
        method: "GET",
        path: "/fine-tuning/base-versions",
        tags,
        summary: "Model versions a job can start from",
      },
    })
    .input(z.object({}))
    .output(z.array(z.object({ id: z.string(), label: z.string() })))
    .query(({ ctx }) => listBaseVersions(ctx)),

  create: projectProcedure
    .meta({
      scope: "datasets:write",
      openapi: {
        method: "POST",
        path: "/fine-tuning/jobs",
        tags,
        summary: "Queue a job: base model version + dataset version + hyperparameters",
      },
    })
    .input(createJobInput)
    .output(jobOut)
    .mutation(({ ctx, input }) => createJob(ctx, input)),

  claim: projectProcedure
    .meta({
      scope: "models:write",
      openapi: {
        method: "POST",
        path: "/fine-tuning/claim",
        tags,
        summary: "An executor claims the oldest queued job (null when none)",
      },
    })
    .input(z.object({ executor }))
    .output(jobOut.nullable())
    .mutation(({ ctx, input }) => claimJob(ctx, input)),

  progress: projectProcedure
    .meta({
      scope: "models:write",
      openapi: {
        method: "POST",
        path: "/fine-tuning/jobs/{id}/progress",
        tags,
        summary: "Report progress and metrics (heartbeat)",
      },
    })
    .input(
      z.object({
        id: z.string().uuid(),
        executor,
        progress: z.number().min(0).max(1),
        metrics: z.record(z.string(), z.number()).optional(),
      }),
    )
    .output(jobOut)
    .mutation(({ ctx, input }) => reportProgress(ctx, input)),

  complete: projectProcedure
    .meta({
      scope: "models:write",
      openapi: {
        method: "POST",
        path: "/fine-tuning/jobs/{id}/complete",
        tags,
        summary: "Finish with the uploaded artifact (a new model version) or an error",
      },
    })
    .input(
      z.object({
        id: z.string().uuid(),
        executor,
        artifactId: z.string().uuid().optional(),
        error: z.string().max(2000).optional(),
      }),
    )
    .output(jobOut)
    .mutation(({ ctx, input }) => completeJob(ctx, input)),
});
