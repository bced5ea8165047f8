import {
  compareInput,
  compareOut,
  listRunResultsInput,
  listRunResultsOut,
  runChoicesInput,
  runChoicesOut,
  runDetailInput,
  runDetailOut,
} from "@/lib/evals/compare";
import { listRunChoices } from "@/server/modules/evals/compare/choices";
import { compareRuns } from "@/server/modules/evals/compare/compare";
import { getRunDetail, listRunResults } from "@/server/modules/evals/compare/detail";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Eval results"];

/** An eval run's results and the comparison of two targets (REST for CI: GET a comparison). */
export const evalResultsRouter = createTRPCRouter({
  run: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/evals/runs/{runId}/detail",
        tags,
        summary: "An eval run with its targets, numbers per evaluator (mean and pass rate with 95% intervals) and gate",
      },
    })
    .input(runDetailInput)
    .output(runDetailOut)
    .query(({ ctx, input }) => getRunDetail(ctx, input)),

  results: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/evals/runs/{runId}/results",
        tags,
        summary: "An eval run's results (case × target × trial), filtered and paged",
      },
    })
    .input(listRunResultsInput)
    .output(listRunResultsOut)
    .query(({ ctx, input }) => listRunResults(ctx, input)),

  compare: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/evals/compare",
        tags,
        summary:
          "Two targets case by case (of one run, or runA and runB): regressions, improvements, McNemar, paired t and Wilcoxon",
      },
    })
    .input(compareInput)
    .output(compareOut)
    .query(({ ctx, input }) => compareRuns(ctx, input)),

  runChoices: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: {
        method: "GET",
        path: "/evals/run-choices",
        tags,
        summary: "The newest eval runs with their targets (what a comparison can pick)",
      },
    })
    .input(runChoicesInput)
    .output(runChoicesOut)
    .query(({ ctx, input }) => listRunChoices(ctx, input)),
});
