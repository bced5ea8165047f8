import { z } from "zod";
import { createGateInput, createGateOut, gateViewOut } from "@/lib/evals/gate-requests";
import { createGate, getGate } from "@/server/modules/evals/gates/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Eval gates"];

/** CI gates: what `npx switchyard eval` calls. */
export const evalGatesRouter = createTRPCRouter({
  create: projectProcedure
    .meta({
      scope: "evals:write",
      openapi: {
        method: "POST",
        path: "/eval-gates",
        tags,
        summary:
          "Start a gate: an eval run of a candidate version against a baseline (default: production) with thresholds",
      },
    })
    .input(createGateInput)
    .output(createGateOut)
    .mutation(({ ctx, input }) => createGate(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "evals:read",
      openapi: { method: "GET", path: "/eval-gates/{id}", tags, summary: "A gate's status and verdict" },
    })
    .input(z.object({ id: z.uuid("id must be a UUID") }))
    .output(gateViewOut)
    .query(({ ctx, input }) => getGate(ctx, input)),
});
