import { z } from "zod";
import {
  createEvalRunSchema,
  evalRunDetailOut,
  evalRunIdInput,
  evalRunOptionsOut,
  listEvalResultsInput,
  listEvalResultsOut,
  listEvalRunsInput,
  listEvalRunsOut,
} from "@/lib/evals/runs";
import {
  cancelEvalRun,
  evalRunOptions,
  getEvalRun,
  listEvalResults,
  listEvalRuns,
} from "@/server/modules/evals/runs/queries";
import { createEvalRun } from "@/server/modules/evals/runs/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Eval runs"];

/** Eval runs: a matrix of targets over a dataset version, scored by evaluators, on the job runtime. */
export const evalRunsRouter = createTRPCRouter({
  create: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/eval-runs",
        tags,
        summary: "Start an eval run (targets x cases x trials through the gateway, scored by the evaluators)",
      },
    })
    .input(createEvalRunSchema)
    .output(z.object({ id: z.string(), jobId: z.string() }))
    .mutation(({ ctx, input }) =>
      createEvalRun(
        {
          db: ctx.db,
          projectId: ctx.caller.projectId,
          createdBy: { userId: ctx.caller.actor.userId, label: ctx.caller.actor.label },
          apiKeyId: ctx.caller.actor.keyId,
        },
        input,
      ),
    ),

  list: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/eval-runs", tags, summary: "Eval runs, newest first, with their targets" },
    })
    .input(listEvalRunsInput)
    .output(listEvalRunsOut)
    .query(({ ctx, input }) => listEvalRuns(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/eval-runs/{id}",
        tags,
        summary: "An eval run: progress, cost, its summary (per target and evaluator, with intervals) and its job",
      },
    })
    .input(evalRunIdInput)
    .output(evalRunDetailOut)
    .query(({ ctx, input }) => getEvalRun(ctx, input)),

  cancel: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/eval-runs/{id}/cancel",
        tags,
        summary: "Cancel an eval run (the results it stored are kept and summarized)",
      },
    })
    .input(evalRunIdInput)
    .output(evalRunDetailOut)
    .mutation(({ ctx, input }) => cancelEvalRun(ctx, input)),

  results: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/eval-runs/{id}/results",
        tags,
        summary: "An eval run's results (case x target x trial), paged; filter by target or failures",
      },
    })
    .input(listEvalResultsInput)
    .output(listEvalResultsOut)
    .query(({ ctx, input }) => listEvalResults(ctx, input)),

  options: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/eval-run-options",
        tags,
        summary: "What an eval run can name: dataset versions, prompt versions, model versions, evaluators",
      },
    })
    .input(z.object({}).optional())
    .output(evalRunOptionsOut)
    .query(({ ctx }) => evalRunOptions(ctx)),
});
