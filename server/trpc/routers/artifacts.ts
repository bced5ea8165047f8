import { z } from "zod";
import { artifactSummary, importFolderInput } from "@/server/modules/artifacts/schemas";
import { getArtifact, importServerFolder, listArtifacts } from "@/server/modules/artifacts/service";
import { artifactStore } from "@/server/modules/artifacts/store";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Artifacts"];

/** Uploads go to POST /api/rest/artifacts/upload (multipart; see server/modules/artifacts/http.ts). */
export const artifactsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "models:read",
      openapi: { method: "GET", path: "/artifacts", tags, summary: "Stored ONNX artifacts" },
    })
    .input(z.object({}))
    .output(z.array(artifactSummary))
    .query(({ ctx }) => listArtifacts(ctx)),

  get: projectProcedure
    .meta({
      scope: "models:read",
      openapi: { method: "GET", path: "/artifacts/{id}", tags, summary: "One artifact and what inspection found" },
    })
    .input(z.object({ id: z.string().uuid("id must be a UUID") }))
    .output(artifactSummary)
    .query(({ ctx, input }) => getArtifact(ctx, input)),

  importFolder: projectProcedure
    .meta({
      scope: "models:write",
      openapi: {
        method: "POST",
        path: "/artifacts/import",
        tags,
        summary: "Register a model folder already on the server (under SWITCHYARD_IMPORT_DIRS)",
      },
    })
    .input(importFolderInput)
    .output(artifactSummary)
    .mutation(({ ctx, input }) => importServerFolder({ ...ctx, store: artifactStore() }, { folder: input.path })),
});
