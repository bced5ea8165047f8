/** GET /v1/models and /v1/models/{id}: what this project's key can put in `model`. */
import type { Db } from "@/server/db";
import { resolveModelVersion } from "./target";

const OWNER = "switchyard";
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Each model with at least one version, by name (its `production` alias, else its latest version) and as `name@alias` for each alias. */
export async function listModels(db: Db, projectId: string) {
  const rows = await db.model.findMany({
    where: { projectId, versions: { some: {} } },
    select: { name: true, createdAt: true, aliases: { select: { name: true }, orderBy: { name: "asc" } } },
    orderBy: { name: "asc" },
  });
  const data = rows.flatMap((m) => [
    { id: m.name, object: "model" as const, created: seconds(m.createdAt), owned_by: OWNER },
    ...m.aliases.map((a) => ({
      id: `${m.name}@${a.name}`,
      object: "model" as const,
      created: seconds(m.createdAt),
      owned_by: OWNER,
    })),
  ]);
  return { object: "list" as const, data };
}

/** One model reference (any spelling `model` accepts for the registry); 404 when it resolves to nothing. */
export async function retrieveModel(db: Db, projectId: string, ref: string) {
  const version = await resolveModelVersion(db, projectId, ref);
  return { id: ref, object: "model" as const, created: seconds(version.createdAt), owned_by: OWNER };
}
