import { z } from "zod";
import { addMemberInput, memberIdInput, memberSummary, updateMemberRoleInput } from "@/server/modules/members/schemas";
import { addMember, listMembers, removeMember, updateMemberRole } from "@/server/modules/members/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Members"];

export const membersRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "members:read", openapi: { method: "GET", path: "/members", tags, summary: "List members" } })
    .input(z.object({}))
    .output(z.array(memberSummary))
    .query(({ ctx }) => listMembers(ctx)),

  add: projectProcedure
    .meta({
      scope: "members:write",
      openapi: { method: "POST", path: "/members", tags, summary: "Add a member (creating the account if needed)" },
    })
    .input(addMemberInput)
    .output(memberSummary)
    .mutation(({ ctx, input }) => addMember(ctx, input)),

  updateRole: projectProcedure
    .meta({
      scope: "members:write",
      openapi: { method: "PATCH", path: "/members/{userId}", tags, summary: "Change a member's role" },
    })
    .input(updateMemberRoleInput)
    .output(memberSummary)
    .mutation(({ ctx, input }) => updateMemberRole(ctx, input)),

  remove: projectProcedure
    .meta({
      scope: "members:write",
      openapi: { method: "DELETE", path: "/members/{userId}", tags, summary: "Remove a member" },
    })
    .input(memberIdInput)
    .output(memberSummary)
    .mutation(({ ctx, input }) => removeMember(ctx, input)),
});
