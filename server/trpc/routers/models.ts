import { z } from "zod";
import { PROVIDERS, TASKS } from "@/lib/models";
import { queryInt } from "@/lib/query-params";
import { aliasHistory, deleteAlias, moveAlias } from "@/server/modules/models/aliases";
import { testConnection } from "@/server/modules/models/connection";
import { inferenceDevices, inferenceDevicesView } from "@/server/modules/models/devices";
import {
  aliasEvent,
  aliasName,
  connectionResult,
  createModelInput,
  createVersionInput,
  modelDetail,
  modelSummary,
  moveAliasInput,
  testConnectionInput,
  updateModelInput,
  versionSummary,
} from "@/server/modules/models/schemas";
import { selectionRow, selectionView } from "@/server/modules/models/selection";
import { createModel, getModel, listModels, updateModel } from "@/server/modules/models/service";
import { createVersion } from "@/server/modules/models/versions";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Models"];
const id = z.string().uuid("id must be a UUID");

export const modelsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "models:read", openapi: { method: "GET", path: "/models", tags, summary: "List models" } })
    .input(
      z.object({
        page: queryInt(1, 100_000).default(1),
        pageSize: queryInt(1, 100).default(20),
        search: z.string().max(100).optional(),
        provider: z.enum(PROVIDERS).optional(),
        task: z.enum(TASKS).optional(),
      }),
    )
    .output(z.object({ items: z.array(modelSummary), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ ctx, input }) => listModels(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "models:read",
      openapi: { method: "GET", path: "/models/{id}", tags, summary: "A model with its versions and aliases" },
    })
    .input(z.object({ id }))
    .output(modelDetail)
    .query(({ ctx, input }) => getModel(ctx, input)),

  create: projectProcedure
    .meta({ scope: "models:write", openapi: { method: "POST", path: "/models", tags, summary: "Register a model" } })
    .input(createModelInput)
    .output(modelSummary)
    .mutation(({ ctx, input }) => createModel(ctx, input)),

  update: projectProcedure
    .meta({
      scope: "models:write",
      openapi: { method: "PATCH", path: "/models/{id}", tags, summary: "Change a model's metadata" },
    })
    .input(updateModelInput)
    .output(modelSummary)
    .mutation(({ ctx, input }) => updateModel(ctx, input)),

  createVersion: projectProcedure
    .meta({
      scope: "models:write",
      openapi: { method: "POST", path: "/models/{modelId}/versions", tags, summary: "Add an immutable version" },
    })
    .input(createVersionInput)
    .output(versionSummary)
    .mutation(({ ctx, input }) => createVersion(ctx, input)),

  moveAlias: projectProcedure
    .meta({
      scope: "models:write",
      openapi: {
        method: "PUT",
        path: "/models/{modelId}/aliases/{alias}",
        tags,
        summary: "Point an alias at a version (creates it; moving back is a rollback)",
      },
    })
    .input(moveAliasInput)
    .output(aliasEvent)
    .mutation(({ ctx, input }) => moveAlias(ctx, input)),

  deleteAlias: projectProcedure
    .meta({
      scope: "models:write",
      openapi: { method: "DELETE", path: "/models/{modelId}/aliases/{alias}", tags, summary: "Remove an alias" },
    })
    .input(z.object({ modelId: id, alias: aliasName, reason: z.string().max(500).default("") }))
    .output(aliasEvent)
    .mutation(({ ctx, input }) => deleteAlias(ctx, input)),

  selection: projectProcedure
    .meta({
      scope: "models:read",
      openapi: {
        method: "GET",
        path: "/model-selection",
        tags,
        summary: "Models side by side: declared cost and limits next to measured latency and throughput",
      },
    })
    .input(z.object({ sinceDays: queryInt(1, 365).default(30) }))
    .output(z.array(selectionRow))
    .query(({ ctx, input }) => selectionView(ctx, input)),

  devices: projectProcedure
    .meta({
      scope: "models:read",
      openapi: {
        method: "GET",
        path: "/inference/devices",
        tags,
        summary: "The in-process engine: each device available or why not, memory, and this project's loaded models",
      },
    })
    .input(z.object({}))
    .output(inferenceDevicesView)
    .query(({ ctx }) => inferenceDevices(ctx)),

  testConnection: projectProcedure
    .meta({
      // Writes nothing, but calls out with the project's credentials: for those who register upstreams.
      scope: "models:write",
      openapi: {
        method: "POST",
        path: "/models/{modelId}/test-connection",
        tags,
        summary: "Call an upstream once (a one-token request) and say whether it is reachable, with the latency",
      },
    })
    .input(testConnectionInput)
    .output(connectionResult)
    .mutation(({ ctx, input }) => testConnection(ctx, input)),

  aliasHistory: projectProcedure
    .meta({
      scope: "models:read",
      openapi: {
        method: "GET",
        path: "/models/{modelId}/alias-history",
        tags,
        summary: "Every alias move (the deployment log)",
      },
    })
    .input(z.object({ modelId: id, alias: aliasName.optional() }))
    .output(z.array(aliasEvent))
    .query(({ ctx, input }) => aliasHistory(ctx, input)),
});
