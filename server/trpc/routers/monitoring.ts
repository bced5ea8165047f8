import { z } from "zod";
import { requestSearchInput } from "@/lib/request-explorer";
import { breakdown, overview } from "@/server/modules/request-log/dashboards";
import { getRequest, searchRequests } from "@/server/modules/request-log/explorer";
import { requestLogPool } from "@/server/modules/request-log/runtime";
import {
  BREAKDOWN_DIMENSIONS,
  breakdownOut,
  overviewOut,
  requestEntryOut,
  requestPageOut,
  rollupFilter,
} from "@/server/modules/request-log/schemas";
import { createTRPCRouter, projectProcedure } from "@/server/trpc/init";
import { monitoringDashboardProcedures } from "./monitoring-dashboards";

const range = { from: z.coerce.date(), to: z.coerce.date() };
const deps = () => ({ pool: requestLogPool() });

/** Dashboards read the rollups; the explorer reads raw rows with keyset paging. Always scoped to the caller's project. */
export const monitoringRouter = createTRPCRouter({
  ...monitoringDashboardProcedures,

  overview: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(z.object({ ...range, step: z.number().int().optional(), ...rollupFilter }))
    .output(overviewOut)
    .query(({ ctx, input }) => overview(deps(), { ...input, projectId: ctx.caller.projectId })),

  breakdown: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(
      z.object({
        ...range,
        by: z.enum(BREAKDOWN_DIMENSIONS),
        limit: z.number().int().min(1).max(500).default(50),
        ...rollupFilter,
      }),
    )
    .output(breakdownOut)
    .query(({ ctx, input }) => breakdown(deps(), { ...input, projectId: ctx.caller.projectId })),

  requests: projectProcedure
    .meta({ scope: "monitoring:read" })
    // Every explorer filter (requestFilterFields); text search bounded in range and time (explorer.ts).
    .input(requestSearchInput)
    .output(requestPageOut)
    .query(({ ctx, input }) => searchRequests(deps(), { ...input, projectId: ctx.caller.projectId })),

  request: projectProcedure
    .meta({ scope: "monitoring:read" })
    .input(z.object({ id: z.string().uuid() }))
    .output(requestEntryOut)
    // Bodies come back from jsonb, so they are JSON values (the log writer's type says unknown).
    .query(async ({ ctx, input }) => {
      const entry = await getRequest(deps(), { id: input.id, projectId: ctx.caller.projectId });
      return entry as typeof entry & z.infer<typeof requestEntryOut>;
    }),
});
