import { z } from "zod";
import { getHealth, healthReport } from "@/server/modules/health/service";
import { createTRPCRouter, publicProcedure } from "@/server/trpc/init";

export const healthRouter = createTRPCRouter({
  get: publicProcedure
    .meta({
      openapi: { method: "GET", path: "/health", tags: ["System"], summary: "Version, database and migrations" },
    })
    .input(z.object({}))
    .output(healthReport)
    .query(({ ctx }) => getHealth(ctx, { names: ctx.principal !== null })),
});
