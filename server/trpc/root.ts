import { createCallerFactory, createTRPCRouter } from "@/server/trpc/init";
import { apiKeysRouter } from "@/server/trpc/routers/apiKeys";
import { artifactsRouter } from "@/server/trpc/routers/artifacts";
import { auditRouter } from "@/server/trpc/routers/audit";
import { batchesRouter } from "@/server/trpc/routers/batches";
import { datasetsRouter } from "@/server/trpc/routers/datasets";
import { evalGatesRouter } from "@/server/trpc/routers/eval-gates";
import { evalResultsRouter } from "@/server/trpc/routers/eval-results";
import { evalRunsRouter } from "@/server/trpc/routers/evalRuns";
import { evaluatorsRouter } from "@/server/trpc/routers/evaluators";
import { experimentsRouter } from "@/server/trpc/routers/experiments";
import { fineTuningRouter } from "@/server/trpc/routers/fine-tuning";
import { healthRouter } from "@/server/trpc/routers/health";
import { jobsRouter } from "@/server/trpc/routers/jobs";
import { meRouter } from "@/server/trpc/routers/me";
import { membersRouter } from "@/server/trpc/routers/members";
import { modelsRouter } from "@/server/trpc/routers/models";
import { monitoringRouter } from "@/server/trpc/routers/monitoring";
import { onlineEvalsRouter } from "@/server/trpc/routers/online-evals";
import { playgroundRouter } from "@/server/trpc/routers/playground";
import { projectsRouter } from "@/server/trpc/routers/projects";
import { promptsRouter } from "@/server/trpc/routers/prompts";
import { releasePoliciesRouter } from "@/server/trpc/routers/release-policies";
import { requestsRouter } from "@/server/trpc/routers/requests";
import { rolloutsRouter } from "@/server/trpc/routers/rollouts";
import { routesRouter } from "@/server/trpc/routers/routes";
import { schedulesRouter } from "@/server/trpc/routers/schedules";
import { workflowsRouter } from "@/server/trpc/routers/workflows";

/** Every router, listed once. The REST API and the access walk test derive from this. */
export const appRouter = createTRPCRouter({
  health: healthRouter,
  me: meRouter,
  projects: projectsRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  models: modelsRouter,
  artifacts: artifactsRouter,
  playground: playgroundRouter,
  prompts: promptsRouter,
  experiments: experimentsRouter,
  monitoring: monitoringRouter,
  requests: requestsRouter,
  datasets: datasetsRouter,
  evaluators: evaluatorsRouter,
  fineTuning: fineTuningRouter,
  routes: routesRouter,
  jobs: jobsRouter,
  batches: batchesRouter,
  schedules: schedulesRouter,
  evalRuns: evalRunsRouter,
  evalResults: evalResultsRouter,
  releasePolicies: releasePoliciesRouter,
  evalGates: evalGatesRouter,
  rollouts: rolloutsRouter,
  onlineEvals: onlineEvalsRouter,
  workflows: workflowsRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side calls (tests, scripts): `createCaller({ db, principal, projectId })`. */
export const createCaller = createCallerFactory(appRouter);
