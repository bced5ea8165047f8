import { z } from "zod";
import { deletePolicy, listPolicies, savePolicy } from "@/server/modules/releases/policies";
import { listPoliciesInput, policyKey, releasePolicyOut, savePolicyInput } from "@/server/modules/releases/schemas";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Release policies"];

/**
 * Release policies are read by anyone who can see the project (`releases:read`); changing one lifts or tightens
 * the guard on production, so it needs `releases:write` (owners and admins), not the editors' `prompts:write`.
 */
export const releasePoliciesRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "releases:read",
      openapi: { method: "GET", path: "/release-policies", tags, summary: "A prompt's or model's release policies" },
    })
    .input(listPoliciesInput)
    .output(z.array(releasePolicyOut))
    .query(({ ctx, input }) => listPolicies(ctx, input)),

  save: projectProcedure
    .meta({
      scope: "releases:write",
      openapi: {
        method: "PUT",
        path: "/release-policies",
        tags,
        summary: "Create or change the policy on a label or alias (moving it then needs a passing eval run)",
      },
    })
    .input(savePolicyInput)
    .output(releasePolicyOut)
    .mutation(({ ctx, input }) => savePolicy(ctx, input)),

  delete: projectProcedure
    .meta({
      scope: "releases:write",
      openapi: { method: "DELETE", path: "/release-policies", tags, summary: "Remove the policy on a label or alias" },
    })
    .input(policyKey)
    .output(z.object({ deleted: z.boolean() }))
    .mutation(({ ctx, input }) => deletePolicy(ctx, input)),
});
