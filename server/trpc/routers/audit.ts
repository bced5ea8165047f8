import { z } from "zod";
import { queryInt } from "@/lib/query-params";
import { auditFacets, auditFilters, auditPage, rangeInOrder } from "@/server/modules/audit/schemas";
import { auditFacetsOf, listAudit } from "@/server/modules/audit/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

export const auditRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "audit:read",
      openapi: {
        method: "GET",
        path: "/audit",
        tags: ["Audit"],
        summary: "The project's audit log, newest first; filter by resource, action, actor and time range",
      },
    })
    .input(
      z
        .object({
          page: queryInt(1, 100_000).default(1),
          pageSize: queryInt(1, 200).default(25),
          ...auditFilters,
        })
        .refine(...rangeInOrder),
    )
    .output(auditPage)
    .query(({ ctx, input }) => listAudit(ctx, input)),

  facets: projectProcedure
    .meta({
      scope: "audit:read",
      openapi: {
        method: "GET",
        path: "/audit/facets",
        tags: ["Audit"],
        summary: "The actions recorded in the project's audit log, and the recent actors: what the filters offer",
      },
    })
    .input(z.object({}))
    .output(auditFacets)
    .query(({ ctx }) => auditFacetsOf(ctx)),
});
