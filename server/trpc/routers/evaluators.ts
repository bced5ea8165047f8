import { z } from "zod";
import { createEvaluatorInput, createEvaluatorVersionInput, tryEvaluatorInput } from "@/lib/evals/evaluator-inputs";
import {
  evaluatorDetail,
  evaluatorSummary,
  savedEvaluatorOut,
  tryResultOut,
} from "@/server/modules/evals/evaluators/schemas";
import {
  createEvaluator,
  createEvaluatorVersion,
  getEvaluator,
  listEvaluators,
  tryEvaluator,
} from "@/server/modules/evals/evaluators/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Evaluators"];

export const evaluatorsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/evaluators", tags, summary: "Evaluators with their latest version" },
    })
    .input(z.object({}).optional())
    .output(z.array(evaluatorSummary))
    .query(({ ctx }) => listEvaluators(ctx)),

  get: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/evaluators/{id}", tags, summary: "An evaluator with its versions" },
    })
    .input(z.object({ id: z.uuid("id must be a UUID") }))
    .output(evaluatorDetail)
    .query(({ ctx, input }) => getEvaluator(ctx, input)),

  create: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/evaluators",
        tags,
        summary: "Create an evaluator with version 1 (an HTTP evaluator's generated secret is in the answer, once)",
      },
    })
    .input(createEvaluatorInput)
    .output(savedEvaluatorOut)
    .mutation(({ ctx, input }) => createEvaluator(ctx, input)),

  createVersion: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/evaluators/{evaluatorId}/versions",
        tags,
        summary: "Save a new immutable version (409 when nothing changed)",
      },
    })
    .input(createEvaluatorVersionInput)
    .output(savedEvaluatorOut)
    .mutation(({ ctx, input }) => createEvaluatorVersion(ctx, input)),

  try: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/evaluators/try",
        tags,
        summary: "Score one sample with a version or an unsaved definition (writes nothing)",
      },
    })
    .input(tryEvaluatorInput)
    .output(tryResultOut)
    .mutation(({ ctx, input }) => tryEvaluator(ctx, input)),
});
