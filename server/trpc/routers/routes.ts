import { z } from "zod";
import { processDeploymentHealth } from "@/server/modules/gateway/routing/health";
import { routeHealth } from "@/server/modules/gateway/routing/route-health";
import {
  activateRouteInput,
  createRouteInput,
  deploymentHealthOut,
  listRoutesInput,
  routeDetail,
  routeSummary,
  saveRouteVersionInput,
  sourceIssue,
  updateRouteInput,
  validateRouteInput,
} from "@/server/modules/routes/schemas";
import {
  activateRouteVersion,
  createRoute,
  deleteRoute,
  getRoute,
  listRoutes,
  saveRouteVersion,
  updateRoute,
} from "@/server/modules/routes/service";
import { checkRouteSource } from "@/server/modules/routes/validate";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

const tags = ["Gateway routes"];
const id = z.object({ id: z.string().uuid("id must be a UUID") });

export const routesRouter = createTRPCRouter({
  list: projectProcedure
    .meta({ scope: "gateway:read", openapi: { method: "GET", path: "/routes", tags, summary: "List gateway routes" } })
    .input(listRoutesInput)
    .output(z.object({ items: z.array(routeSummary), total: z.number(), page: z.number(), pageSize: z.number() }))
    .query(({ ctx, input }) => listRoutes(ctx, input)),

  get: projectProcedure
    .meta({
      scope: "gateway:read",
      openapi: { method: "GET", path: "/routes/{id}", tags, summary: "A route with its versions and activations" },
    })
    .input(id)
    .output(routeDetail)
    .query(({ ctx, input }) => getRoute(ctx, input)),

  validate: projectProcedure
    .meta({
      scope: "gateway:read",
      openapi: {
        method: "POST",
        path: "/routes/validate",
        tags,
        summary: "Check a config (YAML or JSON) without saving: issues by line and column",
      },
    })
    .input(validateRouteInput)
    .output(z.object({ ok: z.boolean(), format: z.enum(["yaml", "json"]), issues: z.array(sourceIssue) }))
    .mutation(async ({ ctx, input }) => {
      const checked = await checkRouteSource(ctx, input);
      return { ok: checked.ok, format: checked.format, issues: checked.ok ? [] : checked.issues };
    }),

  create: projectProcedure
    .meta({
      scope: "gateway:write",
      openapi: { method: "POST", path: "/routes", tags, summary: "Create a route with version 1 (active)" },
    })
    .input(createRouteInput)
    .output(z.object({ routeId: z.string(), version: z.number() }))
    .mutation(({ ctx, input }) => createRoute(ctx, input)),

  saveVersion: projectProcedure
    .meta({
      scope: "gateway:write",
      openapi: {
        method: "POST",
        path: "/routes/{routeId}/versions",
        tags,
        summary: "Save a new immutable version and make it active",
      },
    })
    .input(saveRouteVersionInput)
    .output(z.object({ routeId: z.string(), version: z.number() }))
    .mutation(({ ctx, input }) => saveRouteVersion(ctx, input)),

  activate: projectProcedure
    .meta({
      scope: "gateway:write",
      openapi: {
        method: "POST",
        path: "/routes/{routeId}/activate",
        tags,
        summary: "Make a version active (an older one is a rollback)",
      },
    })
    .input(activateRouteInput)
    .output(z.object({ routeId: z.string(), version: z.number(), changed: z.boolean() }))
    .mutation(({ ctx, input }) => activateRouteVersion(ctx, input)),

  update: projectProcedure
    .meta({
      scope: "gateway:write",
      openapi: { method: "PATCH", path: "/routes/{routeId}", tags, summary: "Enable, disable or describe a route" },
    })
    .input(updateRouteInput)
    .output(routeSummary)
    .mutation(({ ctx, input }) => updateRoute(ctx, input)),

  delete: projectProcedure
    .meta({
      scope: "gateway:write",
      openapi: { method: "DELETE", path: "/routes/{id}", tags, summary: "Delete a route" },
    })
    .input(id)
    .output(z.object({ routeId: z.string(), deleted: z.boolean() }))
    .mutation(({ ctx, input }) => deleteRoute(ctx, input)),

  health: projectProcedure
    .meta({
      scope: "gateway:read",
      openapi: {
        method: "GET",
        path: "/routes/{id}/health",
        tags,
        summary: "Live per-deployment health as this process sees it",
      },
    })
    .input(id)
    .output(z.array(deploymentHealthOut))
    .query(({ ctx, input }) => routeHealth({ ...ctx, health: processDeploymentHealth() }, input)),
});
