import { z } from "zod";
import { RANGE_NAMES } from "@/lib/monitoring-ranges";
import { requestLogPool } from "@/server/modules/request-log/runtime";
import { SPEND_DIMENSIONS, spendOut } from "@/server/modules/request-log/schemas";
import { spend } from "@/server/modules/request-log/spend";
import { suggestRange } from "@/server/modules/request-log/suggest-range";
import { projectProcedure } from "@/server/trpc/init";

const deps = () => ({ pool: requestLogPool() });

/** The dashboard's range suggestion and spend views; spread into the monitoring router. */
export const monitoringDashboardProcedures = {
  suggestRange: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(z.object({}).optional())
    .output(z.object({ range: z.enum(RANGE_NAMES), counts: z.record(z.enum(RANGE_NAMES), z.number()) }))
    .query(({ ctx }) => suggestRange(deps(), { projectId: ctx.caller.projectId })),

  spend: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(
      z.object({
        from: z.coerce.date(),
        to: z.coerce.date(),
        by: z.enum(SPEND_DIMENSIONS),
        limit: z.number().int().min(1).max(100).default(10),
        series: z.number().int().min(0).max(10).default(5),
      }),
    )
    .output(spendOut)
    .query(({ ctx, input }) => spend(deps(), { ...input, projectId: ctx.caller.projectId })),
};
