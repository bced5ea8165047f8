/**
 * Project settings. `requestBodyLogging` is the gateway's privacy setting; each
 * gateway replica caches it (`gateway/body-logging.ts`) and drops it when the
 * change commits (`pg_notify` on PROJECT_SETTINGS_CHANNEL in the same
 * transaction): a privacy change applies to the next request, not 10 s later.
 */
import type { z } from "zod";
import { notFound } from "@/server/errors";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { PROJECT_SETTINGS_CHANNEL } from "@/server/modules/projects/events";
import type { projectSettings } from "@/server/modules/projects/schemas";

type Settings = z.infer<typeof projectSettings>;

export async function getProjectSettings(deps: ServiceDeps): Promise<Settings> {
  const { projectId } = deps.caller;
  const row = await deps.db.project.findUnique({ where: { id: projectId }, select: { requestBodyLogging: true } });
  if (!row) throw notFound("Project", projectId);
  return row;
}

export async function updateProjectSettings(
  deps: ServiceDeps,
  input: z.output<typeof projectSettings>,
): Promise<Settings> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const before = await tx.project.findUnique({
      where: { id: caller.projectId },
      select: { requestBodyLogging: true },
    });
    if (!before) throw notFound("Project", caller.projectId);
    const after = await tx.project.update({
      where: { id: caller.projectId },
      data: input,
      select: { requestBodyLogging: true },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "project.settings",
      targetType: "project",
      targetId: caller.projectId,
      summary: { requestBodyLogging: { from: before.requestBodyLogging, to: after.requestBodyLogging } },
    });
    await tx.$executeRaw`SELECT pg_notify(${PROJECT_SETTINGS_CHANNEL}, ${caller.projectId})`;
    return after;
  });
}
