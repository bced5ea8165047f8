import { z } from "zod";
import { createTRPCRouter, userProcedure } from "@/server/trpc/init";

export const meRouter = createTRPCRouter({
  get: userProcedure
    .output(z.object({ id: z.string(), email: z.string(), name: z.string() }))
    .query(({ ctx }) => ({ id: ctx.user.userId, email: ctx.user.email, name: ctx.user.name })),
});
