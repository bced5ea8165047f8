import { z } from "zod";
import { queryInt } from "@/lib/query-params";
import { playgroundDraftFromRequest } from "@/server/modules/playground/from-request";
import { createPlaygroundRunInput, playgroundDraft } from "@/server/modules/playground/schemas";
import {
  createPlaygroundRun,
  getPlaygroundRun,
  listPlaygroundRuns,
  playgroundRun,
} from "@/server/modules/playground/service";
import { requestLogPool } from "@/server/modules/request-log/runtime";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Playground"];

/** Runs are started here and streamed from POST /api/rest/playground/stream, one stream per compared column. */
export const playgroundRouter = createTRPCRouter({
  createRun: projectProcedure
    .meta({
      scope: "playground:run",
      openapi: {
        method: "POST",
        path: "/playground/runs",
        tags,
        summary: "Save a playground request (then stream each column)",
      },
    })
    .input(createPlaygroundRunInput)
    .output(playgroundRun)
    .mutation(({ ctx, input }) => createPlaygroundRun(ctx, input)),

  history: projectProcedure
    .meta({
      scope: "playground:run",
      openapi: { method: "GET", path: "/playground/runs", tags, summary: "Your saved runs" },
    })
    .input(z.object({ page: queryInt(1, 100_000).default(1), pageSize: queryInt(1, 50).default(20) }))
    .output(z.object({ items: z.array(playgroundRun), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ ctx, input }) => listPlaygroundRuns(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "playground:run",
      openapi: { method: "GET", path: "/playground/runs/{id}", tags, summary: "One saved run" },
    })
    .input(z.object({ id: z.string().uuid() }))
    .output(playgroundRun)
    .query(({ ctx, input }) => getPlaygroundRun(ctx, input)),

  fromRequest: projectProcedure
    // Reading a logged request (and its masked body) is monitoring; running it again needs playground:run.
    .meta({
      scope: "monitoring:read",
      openapi: {
        method: "GET",
        path: "/playground/from-request/{id}",
        tags,
        summary: "A logged gateway request as a playground draft: model, messages, parameters",
      },
    })
    .input(z.object({ id: z.string().uuid("id must be a UUID") }))
    .output(playgroundDraft)
    .query(({ ctx, input }) => playgroundDraftFromRequest({ ...ctx, pool: requestLogPool() }, input)),
});
