import type { Db } from "@/server/db";
import { draftFromRequestBody } from "@/server/modules/playground/from-request-body";
import type { PlaygroundDraft } from "@/server/modules/playground/schemas";
import { getRequest } from "@/server/modules/request-log/explorer";
import type { RequestLogDeps } from "@/server/modules/request-log/queryable";

/** A logged gateway request of the caller's project, as a playground draft ("Open in playground"). */
export async function playgroundDraftFromRequest(
  deps: RequestLogDeps & { db: Db; caller: { projectId: string } },
  { id }: { id: string },
): Promise<PlaygroundDraft> {
  const { projectId } = deps.caller;
  const entry = await getRequest(deps, { id, projectId });
  const model = await runnableModel(deps.db, projectId, entry.requestedModel, entry.modelVersionId);
  if (entry.requestBody == null)
    return { requestId: entry.id, model, bodyLogged: false, input: null, params: {}, leftOut: [] };
  const draft = draftFromRequestBody(entry.requestBody);
  return { requestId: entry.id, model, bodyLogged: true, ...draft };
}

/**
 * The model the client asked for when the playground can run it by that name; for a prompt, experiment or
 * route, the model version that served the request.
 */
async function runnableModel(
  db: Db,
  projectId: string,
  requested: string | null,
  versionId: string | null,
): Promise<string | null> {
  if (requested && !/^(prompt|experiment|route):/.test(requested)) return requested;
  if (!versionId) return null;
  const version = await db.modelVersion.findFirst({
    where: { id: versionId, model: { projectId } },
    select: { version: true, model: { select: { name: true } } },
  });
  return version ? `${version.model.name}@${version.version}` : null;
}
