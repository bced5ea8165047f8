import type { z } from "zod";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import {
  modelInclude,
  providerFromApi,
  toModelSummary,
  toVersionSummary,
  versionInclude,
} from "@/server/modules/models/mapping";
import type {
  createModelInput,
  listModelsInput,
  modelDetail,
  modelSummary,
  updateModelInput,
} from "@/server/modules/models/schemas";
import { paged, textSearch } from "@/server/pagination";

type Summary = z.infer<typeof modelSummary>;

export async function findModel(db: Db | DbTx, projectId: string, id: string) {
  const model = await db.model.findFirst({ where: { id, projectId } });
  if (!model) throw notFound("Model", id);
  return model;
}

export async function listModels(
  deps: ProjectDeps,
  input: z.output<typeof listModelsInput>,
): Promise<{ items: Summary[]; total: number; page: number; pageSize: number }> {
  const where: Prisma.ModelWhereInput = {
    projectId: deps.caller.projectId,
    ...(input.provider ? { provider: providerFromApi(input.provider) } : {}),
    ...(input.task ? { task: input.task } : {}),
    ...textSearch(input.search, { tags: true }),
  };
  return paged(
    input,
    (window) =>
      deps.db.model.findMany({
        where,
        include: modelInclude,
        orderBy: { name: "asc" },
        ...window,
      }),
    () => deps.db.model.count({ where }),
    toModelSummary,
  );
}

export async function getModel(deps: ProjectDeps, { id }: { id: string }): Promise<z.infer<typeof modelDetail>> {
  const { projectId } = deps.caller;
  const row = await deps.db.model.findFirst({
    where: { id, projectId },
    include: { ...modelInclude, versions: { include: versionInclude, orderBy: { version: "desc" } } },
  });
  if (!row) throw notFound("Model", id);
  return { ...toModelSummary(row), versions: row.versions.map(toVersionSummary) };
}

/** Finds a model by name for `name`, `name@alias` or `name@3` references (playground, gateway). */
export async function resolveModelRef(deps: { db: Db }, projectId: string, ref: string) {
  const at = ref.lastIndexOf("@");
  const name = at > 0 ? ref.slice(0, at) : ref;
  const selector = at > 0 ? ref.slice(at + 1) : null;
  const model = await deps.db.model.findUnique({ where: { projectId_name: { projectId, name } } });
  if (!model) throw notFound("Model", name);
  const version = await (async () => {
    if (selector === null)
      return deps.db.modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: "desc" } });
    if (/^\d+$/.test(selector))
      return deps.db.modelVersion.findUnique({
        where: { modelId_version: { modelId: model.id, version: Number(selector) } },
      });
    const alias = await deps.db.modelAlias.findUnique({
      where: { modelId_name: { modelId: model.id, name: selector } },
      include: { version: true },
    });
    return alias?.version ?? null;
  })();
  if (!version) throw new DomainError("NOT_FOUND", `Model '${name}' has no version ${selector ?? "yet"}`);
  return { model, version };
}

export async function createModel(deps: ServiceDeps, input: z.output<typeof createModelInput>): Promise<Summary> {
  const { caller } = deps;
  try {
    return await deps.db.$transaction(async (tx) => {
      const row = await tx.model.create({
        data: { ...input, provider: providerFromApi(input.provider), projectId: caller.projectId },
        include: modelInclude,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "model.create",
        targetType: "model",
        targetId: row.id,
        summary: { name: input.name, provider: input.provider, task: input.task },
      });
      return toModelSummary(row);
    });
  } catch (error) {
    throw mapPrismaError(error, `A model named '${input.name}' already exists in this project`);
  }
}

export async function updateModel(deps: ServiceDeps, input: z.output<typeof updateModelInput>): Promise<Summary> {
  const { caller } = deps;
  const { id, ...changes } = input;
  return deps.db.$transaction(async (tx) => {
    await findModel(tx, caller.projectId, id);
    const row = await tx.model.update({ where: { id }, data: changes, include: modelInclude });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "model.update",
      targetType: "model",
      targetId: id,
      summary: { name: row.name, changed: Object.keys(changes) },
    });
    return toModelSummary(row);
  });
}
