import { z } from "zod";
import {
  createOrganizationInput,
  createProjectInput,
  organizationWithProjects,
  projectSettings,
  projectSummary,
} from "@/server/modules/projects/schemas";
import { createOrganization, createProject, getProject, listForUser } from "@/server/modules/projects/service";
import { getProjectSettings, updateProjectSettings } from "@/server/modules/projects/settings";
import { createTRPCRouter, projectProcedure, userProcedure } from "@/server/trpc/init";

export const projectsRouter = createTRPCRouter({
  /** The organisations and projects of the signed-in user (the switcher). */
  mine: userProcedure
    .output(z.array(organizationWithProjects))
    .query(({ ctx }) => listForUser(ctx, { userId: ctx.user.userId })),

  current: projectProcedure
    .meta({
      scope: "project:read",
      openapi: {
        method: "GET",
        path: "/project",
        tags: ["Projects"],
        summary: "The project this key or session acts in",
      },
    })
    .input(z.object({}))
    .output(projectSummary)
    .query(({ ctx }) => getProject(ctx)),

  settings: projectProcedure
    .meta({
      scope: "project:read",
      openapi: { method: "GET", path: "/project/settings", tags: ["Projects"], summary: "The project's settings" },
    })
    .input(z.object({}))
    .output(projectSettings)
    .query(({ ctx }) => getProjectSettings(ctx)),

  updateSettings: projectProcedure
    .meta({
      scope: "project:write",
      openapi: {
        method: "PUT",
        path: "/project/settings",
        tags: ["Projects"],
        summary: "Change the project's settings (request body logging: none, masked or full)",
      },
    })
    .input(projectSettings)
    .output(projectSettings)
    .mutation(({ ctx, input }) => updateProjectSettings(ctx, input)),

  create: userProcedure
    .input(createProjectInput)
    .output(projectSummary)
    .mutation(({ ctx, input }) => createProject(ctx, input)),

  createOrganization: userProcedure
    .input(createOrganizationInput)
    .output(projectSummary)
    .mutation(({ ctx, input }) => createOrganization(ctx, input)),
});
