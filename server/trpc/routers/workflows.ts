import { z } from "zod";
import {
  listRunsInput,
  runDetailOut,
  runIdInput,
  runInput,
  runOut,
  saveInput,
  saveOut,
  sourceInput,
  validateOut,
  workflowDetailOut,
  workflowIdInput,
  workflowOut,
} from "@/lib/workflows/api";
import { cancelRun, getRun, listRuns, runWorkflow } from "@/server/modules/workflows/runs";
import { getWorkflow, listWorkflows, saveWorkflow, validateSource } from "@/server/modules/workflows/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Workflows"];

/** YAML workflows: validate, save versions, run (manually; triggers start runs too), cancel, read runs. */
export const workflowsRouter = createTRPCRouter({
  validate: projectProcedure
    .meta({
      scope: "workflows:read",
      openapi: {
        method: "POST",
        path: "/workflows/validate",
        tags,
        summary: "Validate a workflow document (errors with line and column)",
      },
    })
    .input(sourceInput)
    .output(validateOut)
    .mutation(({ input }) => validateSource(input.source)),

  save: projectProcedure
    .meta({
      scope: "workflows:write",
      openapi: {
        method: "POST",
        path: "/workflows",
        tags,
        summary: "Create a workflow or save a new version (409 when unchanged)",
      },
    })
    .input(saveInput)
    .output(saveOut)
    .mutation(({ ctx, input }) => saveWorkflow(ctx, input)),

  list: projectProcedure
    .meta({
      scope: "workflows:read",
      openapi: { method: "GET", path: "/workflows", tags, summary: "Workflows with their last run" },
    })
    .input(z.object({}))
    .output(z.array(workflowOut))
    .query(({ ctx }) => listWorkflows(ctx)),

  get: projectProcedure
    .meta({
      scope: "workflows:read",
      openapi: { method: "GET", path: "/workflows/{id}", tags, summary: "A workflow with its versions" },
    })
    .input(workflowIdInput)
    .output(workflowDetailOut)
    .query(({ ctx, input }) => getWorkflow(ctx, input)),

  run: projectProcedure
    .meta({
      scope: "workflows:write",
      openapi: {
        method: "POST",
        path: "/workflows/{workflowId}/runs",
        tags,
        summary: "Run a workflow (the latest version unless one is named)",
      },
    })
    .input(runInput)
    .output(runDetailOut)
    .mutation(({ ctx, input }) => runWorkflow(ctx, input)),

  runs: projectProcedure
    .meta({
      scope: "workflows:read",
      openapi: { method: "GET", path: "/workflow-runs", tags, summary: "Runs, newest first" },
    })
    .input(listRunsInput)
    .output(z.array(runOut))
    .query(({ ctx, input }) => listRuns(ctx, input)),

  getRun: projectProcedure
    .meta({
      scope: "workflows:read",
      openapi: {
        method: "GET",
        path: "/workflow-runs/{id}",
        tags,
        summary: "A run with its steps' states, outputs and logs",
      },
    })
    .input(runIdInput)
    .output(runDetailOut)
    .query(({ ctx, input }) => getRun(ctx, input)),

  cancelRun: projectProcedure
    .meta({
      scope: "workflows:write",
      openapi: {
        method: "POST",
        path: "/workflow-runs/{id}/cancel",
        tags,
        summary: "Cancel a run (and its steps' child jobs)",
      },
    })
    .input(runIdInput)
    .output(runDetailOut)
    .mutation(({ ctx, input }) => cancelRun(ctx, input)),
});
