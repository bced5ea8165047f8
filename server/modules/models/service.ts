import type { z } from "zod";
import { MAX_VERSION } from "@/lib/version-number";
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
import { LATEST, normalizeModelRef } from "@/server/modules/models/refs";
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

/** The alias a bare model name serves when the model has it. */
const DEFAULT_ALIAS = "production";

/**
 * The version a `name@N` / `name:N` selector's digits ask for; past MAX_VERSION no version can exist, and the
 * database would refuse the number: a 400 naming `field`, not a failed query.
 */
export function versionOfRef(ref: string, digits: string, field = "model"): number {
  const version = Number(digits);
  if (version > MAX_VERSION)
    throw new DomainError("VALIDATION", `'${ref}': version numbers go up to ${MAX_VERSION}`, [
      { path: field, message: `Version above ${MAX_VERSION}` },
    ]);
  return version;
}

/**
 * Finds a model version from a reference, one rule for the gateway, the playground, routes and datasets:
 * `name@3` or `name:3` is that version; `name@alias` the alias's version; `name@latest` the newest version; a bare
 * `name` the `production` alias's version when the model has one, else the newest. `alias` says what a
 * reference without a version number went through (`production`, `latest`, `staging`); null for `name@3`.
 */
export async function resolveModelRef(deps: { db: Db }, projectId: string, ref: string) {
  const normalized = normalizeModelRef(ref);
  const at = normalized.lastIndexOf("@");
  const name = at > 0 ? normalized.slice(0, at) : normalized;
  const selector = at > 0 ? normalized.slice(at + 1) : null;
  const model = await deps.db.model.findUnique({ where: { projectId_name: { projectId, name } } });
  if (!model) throw notFound("Model", name);
  const latest = async () => ({
    version: await deps.db.modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: "desc" } }),
    alias: LATEST as string | null,
  });
  const viaAlias = async (alias: string) => ({
    version:
      (
        await deps.db.modelAlias.findUnique({
          where: { modelId_name: { modelId: model.id, name: alias } },
          include: { version: true },
        })
      )?.version ?? null,
    alias: alias as string | null,
  });
  const found = await (async () => {
    if (selector === null) {
      const production = await viaAlias(DEFAULT_ALIAS);
      return production.version ? production : latest();
    }
    if (selector === LATEST) return latest();
    if (/^\d+$/.test(selector))
      return {
        version: await deps.db.modelVersion.findUnique({
          where: { modelId_version: { modelId: model.id, version: versionOfRef(ref, selector) } },
        }),
        alias: null,
      };
    return viaAlias(selector);
  })();
  if (!found.version)
    throw new DomainError(
      "NOT_FOUND",
      `Model '${name}' has no version ${selector === null || selector === LATEST ? "yet" : selector}`,
    );
  return { model, version: found.version, alias: found.alias };
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
