import { z } from "zod";
import { concludeExperiment } from "@/server/modules/experiments/conclude";
import { assignUnits, recordOutcomes } from "@/server/modules/experiments/exposures";
import { experimentResults, resultsOut } from "@/server/modules/experiments/results";
import {
  assignInput,
  assignmentOut,
  concludeInput,
  createExperimentInput,
  EXPERIMENT_STATUSES,
  experimentOut,
  outcomeInput,
  outcomesRecorded,
} from "@/server/modules/experiments/schemas";
import {
  createExperiment,
  getExperiment,
  listExperiments,
  setTrafficShare,
  transition,
} from "@/server/modules/experiments/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Experiments"];
const id = z.object({ id: z.string().uuid("id must be a UUID") });

export const experimentsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "experiments:read",
      openapi: { method: "GET", path: "/experiments", tags, summary: "List experiments" },
    })
    .input(z.object({ status: z.enum(EXPERIMENT_STATUSES).optional() }))
    .output(z.array(experimentOut))
    .query(({ ctx, input }) => listExperiments(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "experiments:read",
      openapi: { method: "GET", path: "/experiments/{id}", tags, summary: "One experiment" },
    })
    .input(id)
    .output(experimentOut)
    .query(({ ctx, input }) => getExperiment(ctx, input)),

  create: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: { method: "POST", path: "/experiments", tags, summary: "Create a draft experiment" },
    })
    .input(createExperimentInput)
    .output(experimentOut)
    .mutation(({ ctx, input }) => createExperiment(ctx, input)),

  start: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: { method: "POST", path: "/experiments/{id}/start", tags, summary: "Start (or resume)" },
    })
    .input(id)
    .output(experimentOut)
    .mutation(({ ctx, input }) => transition(ctx, { id: input.id, action: "start" })),

  stop: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: { method: "POST", path: "/experiments/{id}/stop", tags, summary: "Stop assigning" },
    })
    .input(id)
    .output(experimentOut)
    .mutation(({ ctx, input }) => transition(ctx, { id: input.id, action: "stop" })),

  setTraffic: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: {
        method: "POST",
        path: "/experiments/{id}/traffic",
        tags,
        summary: "Change the traffic share (assigned units keep their variant)",
      },
    })
    .input(id.extend({ trafficPercent: z.number() }))
    .output(experimentOut)
    .mutation(({ ctx, input }) => setTrafficShare(ctx, input)),

  conclude: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: {
        method: "POST",
        path: "/experiments/{experimentId}/conclude",
        tags,
        summary: "Record the decision; optionally promote the winner",
      },
    })
    .input(concludeInput)
    .output(experimentOut)
    .mutation(({ ctx, input }) => concludeExperiment(ctx, input)),

  assign: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: {
        method: "POST",
        path: "/experiments/{experimentId}/assign",
        tags,
        summary: "Assign units (sticky) and log exposures",
      },
    })
    .input(assignInput)
    .output(z.array(assignmentOut))
    .mutation(({ ctx, input }) => assignUnits(ctx, input)),

  recordOutcomes: projectProcedure
    .meta({
      scope: "experiments:write",
      openapi: {
        method: "POST",
        path: "/experiments/{experimentId}/outcomes",
        tags,
        summary: "Post scores or custom metrics (outcomes of units or requests never exposed are ignored and listed)",
      },
    })
    .input(outcomeInput)
    .output(outcomesRecorded)
    .mutation(({ ctx, input }) => recordOutcomes(ctx, input)),

  results: projectProcedure
    .meta({
      scope: "experiments:read",
      openapi: {
        method: "GET",
        path: "/experiments/{id}/results",
        tags,
        summary: "Per-variant statistics, SRM check, series",
      },
    })
    .input(id)
    .output(resultsOut)
    .query(({ ctx, input }) => experimentResults(ctx, input)),
});
