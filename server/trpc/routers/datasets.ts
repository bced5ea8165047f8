import { z } from "zod";
import { addRequestsInput, kAnonymityInput } from "@/lib/dataset-forms";
import { queryInt } from "@/lib/query-params";
import { notFound } from "@/server/errors";
import { estimateTraining } from "@/server/modules/datasets/core";
import { addRequestsToDataset } from "@/server/modules/datasets/from-requests";
import {
  datasetExampleOut,
  kAnonymityOut,
  transformPreviewOut,
  versionComparison,
} from "@/server/modules/datasets/output-schemas";
import { previewTransform } from "@/server/modules/datasets/preview";
import { compareVersions, kAnonymityReport } from "@/server/modules/datasets/reports";
import { datasetOut, type TransformInput, transformOut, versionOut } from "@/server/modules/datasets/schemas";
import { getDataset, listDatasets, listExamples } from "@/server/modules/datasets/service";
import { transformDataset } from "@/server/modules/datasets/transform";
import { requestLogPool } from "@/server/modules/request-log/runtime";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Datasets"];

// One flat object (REST needs an object schema); the service checks it per operation.
const transformFlat = z.object({
  versionId: z.string().uuid(),
  operation: z.enum(["mask", "dedupe", "filter", "split", "merge"]),
  options: z.record(z.string(), z.unknown()).optional(),
  minTokens: z.number().int().optional(),
  maxTokens: z.number().int().optional(),
  requireRole: z.enum(["system", "user", "assistant"]).optional(),
  include: z.string().max(200).optional(),
  exclude: z.string().max(200).optional(),
  ratio: z.number().optional(),
  salt: z.string().max(100).optional(),
  otherVersionIds: z.array(z.string().uuid()).optional(),
  dedupe: z.boolean().optional(),
});

/** Imports and exports stream through /api/rest/datasets/import and …/versions/{id}/export. */
export const datasetsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: { method: "GET", path: "/datasets", tags, summary: "Datasets with their versions" },
    })
    .input(z.object({}))
    .output(z.array(datasetOut))
    .query(({ ctx }) => listDatasets(ctx)),

  get: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: { method: "GET", path: "/datasets/{id}", tags, summary: "One dataset: versions, statistics, lineage" },
    })
    .input(z.object({ id: z.string().uuid() }))
    .output(datasetOut)
    .query(({ ctx, input }) => getDataset(ctx, input)),

  examples: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: {
        method: "GET",
        path: "/datasets/versions/{versionId}/examples",
        tags,
        summary: "Browse and search a version's examples",
      },
    })
    .input(
      z.object({
        versionId: z.string().uuid(),
        page: queryInt(1, 1_000_000).default(1),
        pageSize: queryInt(1, 100).default(20),
        search: z.string().max(200).optional(),
        split: z.enum(["train", "validation"]).optional(),
      }),
    )
    .output(
      z.object({
        items: z.array(
          z.object({
            position: z.number(),
            example: datasetExampleOut,
            tokens: z.number(),
            split: z.string().nullable(),
            hash: z.string(),
          }),
        ),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
    )
    .query(({ ctx, input }) => listExamples(ctx, input)),

  transform: projectProcedure
    .meta({
      scope: "datasets:write",
      openapi: {
        method: "POST",
        path: "/datasets/transform",
        tags,
        summary:
          "Mask PII, dedupe, filter, split or merge into a new version (over SWITCHYARD_DATASET_INLINE_ROWS examples: a job)",
      },
    })
    .input(transformFlat)
    .output(transformOut)
    .mutation(({ ctx, input }) => transformDataset(ctx, input as TransformInput)),

  addFromRequests: projectProcedure
    .meta({
      scope: "datasets:write",
      openapi: {
        method: "POST",
        path: "/datasets/from-requests",
        tags,
        summary:
          "Add logged requests (bodies logged) as chat examples keeping metadata.request_id: a new dataset, or a new version appended to a chat dataset's latest (also needs monitoring:read)",
      },
    })
    .input(addRequestsInput)
    .output(versionOut.extend({ datasetId: z.string(), added: z.number() }))
    .mutation(({ ctx, input }) => addRequestsToDataset({ ...ctx, pool: requestLogPool() }, input)),

  preview: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: {
        method: "POST",
        path: "/datasets/transform/preview",
        tags,
        summary: "What a mask, dedupe, filter or split would make, without writing it",
      },
    })
    .input(transformFlat)
    .output(transformPreviewOut)
    .mutation(({ ctx, input }) => previewTransform(ctx, input as TransformInput)),

  kAnonymity: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: {
        method: "POST",
        path: "/datasets/versions/{versionId}/k-anonymity",
        tags,
        summary: "k-anonymity over chosen metadata fields",
      },
    })
    .input(kAnonymityInput)
    .output(kAnonymityOut)
    .mutation(async ({ ctx, input }) => ({ ...(await kAnonymityReport(ctx, input)) })),

  compare: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: { method: "GET", path: "/datasets/compare", tags, summary: "Two versions' counts side by side" },
    })
    .input(z.object({ a: z.string().uuid(), b: z.string().uuid() }))
    .output(versionComparison)
    .query(({ ctx, input }) => compareVersions(ctx, input)),

  estimate: projectProcedure
    .meta({
      scope: "datasets:read",
      openapi: {
        method: "GET",
        path: "/datasets/versions/{versionId}/estimate",
        tags,
        summary: "Training tokens for N epochs (OpenAI's default heuristic) and cost",
      },
    })
    .input(
      z.object({
        versionId: z.string().uuid(),
        epochs: queryInt(1, 100).optional(),
        pricePerMillionTokens: z.coerce.number().min(0).max(100_000).optional(),
      }),
    )
    .output(
      z.object({
        examples: z.number(),
        epochs: z.number(),
        billingTokens: z.number(),
        trainingTokens: z.number(),
        cost: z.number().optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const version = await ctx.db.datasetVersion.findFirst({
        where: { id: input.versionId, dataset: { projectId: ctx.caller.projectId } },
      });
      if (!version) throw notFound("Dataset version", input.versionId);
      const stats = version.stats as { billingTokens?: number };
      return estimateTraining(
        { examples: version.exampleCount, billingTokens: stats.billingTokens ?? 0 },
        { epochs: input.epochs, pricePerMillionTokens: input.pricePerMillionTokens },
      );
    }),
});
