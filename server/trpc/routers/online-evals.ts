import { z } from "zod";
import {
  createOnlineRuleSchema,
  onlineRuleOut,
  onlineStatsInput,
  onlineStatsOut,
  updateOnlineRuleSchema,
} from "@/lib/evals/online";
import {
  createOnlineRule,
  deleteOnlineRule,
  getOnlineRule,
  listEvaluatorChoices,
  listOnlineRules,
  updateOnlineRule,
} from "@/server/modules/evals/online/rules";
import { onlineEvalStats } from "@/server/modules/evals/online/stats";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Online evaluation"];
const id = z.object({ id: z.uuid("id must be a UUID") });

export const onlineEvalsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/online-evals/rules", tags, summary: "List online evaluation rules" },
    })
    .input(z.object({}).optional())
    .output(z.object({ items: z.array(onlineRuleOut) }))
    .query(async ({ ctx }) => ({ items: await listOnlineRules(ctx) })),

  get: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/online-evals/rules/{id}", tags, summary: "An online evaluation rule" },
    })
    .input(id)
    .output(onlineRuleOut)
    .query(({ ctx, input }) => getOnlineRule(ctx, input)),

  create: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/online-evals/rules",
        tags,
        summary: "Score a sampled share of live traffic with an evaluator",
      },
    })
    .input(createOnlineRuleSchema)
    .output(onlineRuleOut)
    .mutation(({ ctx, input }) => createOnlineRule(ctx, input)),

  update: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "PATCH",
        path: "/online-evals/rules/{id}",
        tags,
        summary: "Change a rule: name, evaluator version, sample rate, filter, enabled",
      },
    })
    .input(updateOnlineRuleSchema)
    .output(onlineRuleOut)
    .mutation(({ ctx, input }) => updateOnlineRule(ctx, input)),

  delete: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: { method: "DELETE", path: "/online-evals/rules/{id}", tags, summary: "Delete a rule and its scores" },
    })
    .input(id)
    .output(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => deleteOnlineRule(ctx, input)),

  evaluators: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/online-evals/evaluators",
        tags,
        summary: "Evaluators a rule can use, each with its newest version",
      },
    })
    .input(z.object({}).optional())
    .output(
      z.object({
        items: z.array(
          z.object({
            name: z.string(),
            description: z.string(),
            evaluatorVersionId: z.string(),
            version: z.number(),
            type: z.string(),
          }),
        ),
      }),
    )
    .query(async ({ ctx }) => ({ items: await listEvaluatorChoices(ctx) })),

  stats: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/online-evals/stats",
        tags,
        summary: "Per rule over a range: mean score, pass rate, time series, by model and prompt version",
      },
    })
    .input(onlineStatsInput)
    .output(onlineStatsOut)
    .query(({ ctx, input }) => onlineEvalStats(ctx, input)),
});
