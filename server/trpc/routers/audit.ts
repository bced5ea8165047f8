import { z } from "zod";
import { queryInt } from "@/lib/query-params";
import { auditPage } from "@/server/modules/audit/schemas";
import { listAudit } from "@/server/modules/audit/service";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";

export const auditRouter = createTRPCRouter({
  list: projectProcedure
    .meta({
      scope: "audit:read",
      openapi: { method: "GET", path: "/audit", tags: ["Audit"], summary: "The project's audit log, newest first" },
    })
    .input(
      z.object({
        page: queryInt(1, 100_000).default(1),
        pageSize: queryInt(1, 200).default(25),
        action: z.string().max(100).optional(),
        actor: z.string().max(200).optional(),
      }),
    )
    .output(auditPage)
    .query(({ ctx, input }) => listAudit(ctx, input)),
});
