import { batchIdInput, batchOut, listBatchesInput, listBatchesOut } from "@/lib/batches";
import { getBatch, listBatches } from "@/server/modules/batches/console";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Batches"];

/** The console's view of the project's batches (the OpenAI-shaped API is /v1/batches). */
export const batchesRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "jobs:read",
      openapi: { method: "GET", path: "/batches", tags, summary: "Batches, newest first, with their files" },
    })
    .input(listBatchesInput)
    .output(listBatchesOut)
    .query(({ ctx, input }) => listBatches(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "jobs:read",
      openapi: { method: "GET", path: "/batches/{id}", tags, summary: "A batch with its counts, files and job" },
    })
    .input(batchIdInput)
    .output(batchOut)
    .query(({ ctx, input }) => getBatch(ctx, input)),
});
