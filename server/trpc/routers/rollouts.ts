import {
  createRolloutSchema,
  listRolloutsInput,
  listRolloutsOut,
  rolloutActionInput,
  rolloutDetailOut,
  rolloutIdInput,
} from "@/lib/rollouts/schemas";
import { getRollout, listRollouts } from "@/server/modules/rollouts/queries";
import {
  abortRollout,
  createRollout,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  rolloutDepsOf,
} from "@/server/modules/rollouts/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Rollouts"];

/** Canary rollouts of a prompt label or model alias: steps, analysis, automatic rollback, promotion. */
export const rolloutsRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "rollouts:read", openapi: { method: "GET", path: "/rollouts", tags, summary: "List rollouts" } })
    .input(listRolloutsInput)
    .output(listRolloutsOut)
    .query(({ ctx, input }) => listRollouts(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "rollouts:read",
      openapi: {
        method: "GET",
        path: "/rollouts/{id}",
        tags,
        summary: "A rollout with its events (analysis windows, steps, actions) and the current window's figures",
      },
    })
    .input(rolloutIdInput)
    .output(rolloutDetailOut)
    .query(({ ctx, input }) => getRollout(ctx, input)),

  create: projectProcedure
    .meta({
      scope: "rollouts:write",
      openapi: {
        method: "POST",
        path: "/rollouts",
        tags,
        summary: "Start a rollout on a label (its current version is the stable arm); 409 when one is live there",
      },
    })
    .input(createRolloutSchema)
    .output(rolloutDetailOut)
    .mutation(async ({ ctx, input }) => {
      const { id } = await createRollout(rolloutDepsOf(ctx), input);
      return getRollout(ctx, { id });
    }),

  pause: projectProcedure
    .meta({
      scope: "rollouts:write",
      openapi: { method: "POST", path: "/rollouts/{id}/pause", tags, summary: "Hold the current share" },
    })
    .input(rolloutActionInput)
    .output(rolloutDetailOut)
    .mutation(async ({ ctx, input }) => {
      await pauseRollout(ctx, input);
      return getRollout(ctx, input);
    }),

  resume: projectProcedure
    .meta({
      scope: "rollouts:write",
      openapi: {
        method: "POST",
        path: "/rollouts/{id}/resume",
        tags,
        summary: "Resume (after a step that waits for a person: on to the next step)",
      },
    })
    .input(rolloutActionInput)
    .output(rolloutDetailOut)
    .mutation(async ({ ctx, input }) => {
      await resumeRollout(ctx, input);
      return getRollout(ctx, input);
    }),

  promote: projectProcedure
    .meta({
      scope: "rollouts:write",
      openapi: {
        method: "POST",
        path: "/rollouts/{id}/promote",
        tags,
        summary: "Move the label to the candidate now and end the rollout",
      },
    })
    .input(rolloutActionInput)
    .output(rolloutDetailOut)
    .mutation(async ({ ctx, input }) => {
      await promoteRollout(ctx, input);
      return getRollout(ctx, input);
    }),

  abort: projectProcedure
    .meta({
      scope: "rollouts:write",
      openapi: {
        method: "POST",
        path: "/rollouts/{id}/abort",
        tags,
        summary: "Stop the rollout: all traffic back to the stable version (the label never moved)",
      },
    })
    .input(rolloutActionInput)
    .output(rolloutDetailOut)
    .mutation(async ({ ctx, input }) => {
      await abortRollout(ctx, input);
      return getRollout(ctx, input);
    }),
});
