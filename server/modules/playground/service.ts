import { z } from "zod";
import { notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import type { ServiceDeps } from "@/server/modules/deps";
import { generationParams } from "@/server/modules/models/schemas";
import type { createPlaygroundRunInput } from "@/server/modules/playground/schemas";
import { generationInput, playgroundSlot } from "@/server/modules/runs/schemas";

export const playgroundRun = z.object({
  id: z.string(),
  createdAt: z.date(),
  request: z.object({
    configs: z.array(z.object({ model: z.string(), params: generationParams })),
    input: generationInput,
  }),
  /** One per config, in order: null until that column's generation ends. */
  results: z.array(playgroundSlot.nullable()),
});

type Run = z.infer<typeof playgroundRun>;
const toRun = (row: { id: string; createdAt: Date; request: unknown; results: unknown }): Run => ({
  id: row.id,
  createdAt: row.createdAt,
  request: row.request as Run["request"],
  results: (row.results as Run["results"]) ?? [],
});

/** Saves the request first; each column's stream fills its slot when it finishes. */
export async function createPlaygroundRun(
  deps: ServiceDeps,
  request: z.output<typeof createPlaygroundRunInput>,
): Promise<Run> {
  const row = await deps.db.playgroundRun.create({
    data: {
      projectId: deps.caller.projectId,
      userId: deps.caller.actor.userId,
      request: request as unknown as Prisma.InputJsonValue,
      results: request.configs.map(() => null) as unknown as Prisma.InputJsonValue,
    },
  });
  return toRun(row);
}

/** A caller sees only their own runs (an API key: the runs it made without a user). */
export async function listPlaygroundRuns(deps: ServiceDeps, { page, pageSize }: { page: number; pageSize: number }) {
  const where = { projectId: deps.caller.projectId, userId: deps.caller.actor.userId };
  const [rows, total] = await Promise.all([
    deps.db.playgroundRun.findMany({
      where,
      orderBy: { createdAt: "desc" },
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    deps.db.playgroundRun.count({ where }),
  ]);
  return { items: rows.map(toRun), total, page, pageSize };
}

export async function getPlaygroundRun(deps: ServiceDeps, { id }: { id: string }) {
  const row = await deps.db.playgroundRun.findFirst({
    where: { id, projectId: deps.caller.projectId, userId: deps.caller.actor.userId },
  });
  if (!row) throw notFound("Playground run", id);
  return toRun(row);
}
