/**
 * Gateway routes: a route per project and name, immutable numbered versions
 * (the text as written, its format, the parsed config), one active version.
 * Saving activates the new version; activating an older one is a rollback.
 * Every write records an audit row and NOTIFYs the gateways in the same
 * transaction (see `db-source.ts`).
 */
import type { z } from "zod";
import type { RouteConfig } from "@/lib/routes/config";
import type { Caller } from "@/server/auth/caller";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound, retryOnUniqueViolation } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { paged, textSearch } from "@/server/pagination";
import { ROUTES_CHANNEL } from "./db-source";
import type {
  activateRouteInput,
  createRouteInput,
  listRoutesInput,
  routeDetail,
  routeSummary,
  saveRouteVersionInput,
  updateRouteInput,
} from "./schemas";
import { requireValidSource } from "./validate";

const summaryInclude = {
  activeVersion: { select: { version: true, config: true } },
  versions: { select: { version: true }, orderBy: { version: "desc" }, take: 1 },
} satisfies Prisma.GatewayRouteInclude;

type SummaryRow = Prisma.GatewayRouteGetPayload<{ include: typeof summaryInclude }>;

function toSummary(row: SummaryRow): z.infer<typeof routeSummary> {
  const config = row.activeVersion?.config as RouteConfig | undefined;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    activeVersion: row.activeVersion?.version ?? null,
    latestVersion: row.versions[0]?.version ?? 0,
    strategy: config?.strategy ?? null,
    deployments: config?.deployments ?? [],
    fallbacks: config?.fallbacks ?? [],
    updatedAt: row.updatedAt,
  };
}

async function findRoute(db: Db | DbTx, projectId: string, id: string) {
  const route = await db.gatewayRoute.findFirst({ where: { id, projectId }, include: { activeVersion: true } });
  if (!route) throw notFound("Route", id);
  return route;
}

const notify = (tx: DbTx, projectId: string) =>
  tx.$executeRaw`SELECT pg_notify(${ROUTES_CHANNEL}, ${JSON.stringify({ projectId })})`;

async function insertVersion(
  tx: DbTx,
  caller: Caller,
  route: { id: string; name: string; activeVersion: { version: number } | null },
  checked: { format: "yaml" | "json"; config: RouteConfig },
  input: { source: string; commitMessage: string },
) {
  const last = await tx.gatewayRouteVersion.findFirst({
    where: { routeId: route.id },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  const row = await tx.gatewayRouteVersion.create({
    data: {
      routeId: route.id,
      version: (last?.version ?? 0) + 1,
      source: input.source,
      format: checked.format,
      config: checked.config as unknown as Prisma.InputJsonValue,
      commitMessage: input.commitMessage,
      createdById: caller.actor.userId,
      createdByLabel: caller.actor.label,
    },
  });
  await tx.gatewayRoute.update({ where: { id: route.id }, data: { activeVersionId: row.id } });
  await tx.gatewayRouteActivation.create({
    data: {
      routeId: route.id,
      fromVersion: route.activeVersion?.version ?? null,
      toVersion: row.version,
      reason: input.commitMessage || `saved version ${row.version}`,
      actorLabel: caller.actor.label,
    },
  });
  await recordAudit(tx, caller.actor, {
    projectId: caller.projectId,
    action: "route.version.create",
    targetType: "route",
    targetId: route.id,
    summary: { route: route.name, version: row.version, commitMessage: input.commitMessage },
  });
  await notify(tx, caller.projectId);
  return row;
}

/** Creates a route with version 1 (active). Nothing is stored unless the config is valid. */
export async function createRoute(deps: ServiceDeps, input: z.output<typeof createRouteInput>) {
  const { caller } = deps;
  const checked = await requireValidSource(deps, input);
  try {
    return await deps.db.$transaction(async (tx) => {
      const route = await tx.gatewayRoute.create({
        data: { projectId: caller.projectId, name: input.name, description: input.description },
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "route.create",
        targetType: "route",
        targetId: route.id,
        summary: { name: input.name },
      });
      const version = await insertVersion(tx, caller, { ...route, activeVersion: null }, checked, input);
      return { routeId: route.id, version: version.version };
    });
  } catch (error) {
    throw mapPrismaError(error, `A route named '${input.name}' already exists in this project`);
  }
}

/** Saves version latest+1 and makes it active; concurrent saves retry on the unique (route, version) index. */
export async function saveRouteVersion(deps: ServiceDeps, input: z.output<typeof saveRouteVersionInput>) {
  const { caller } = deps;
  await findRoute(deps.db, caller.projectId, input.routeId);
  const checked = await requireValidSource(deps, input);
  return retryOnUniqueViolation(() =>
    deps.db.$transaction(async (tx) => {
      const route = await findRoute(tx, caller.projectId, input.routeId);
      const row = await insertVersion(tx, caller, route, checked, input);
      return { routeId: route.id, version: row.version };
    }),
  );
}

/** Makes an existing version active: a rollback when it is older than the active one. Recorded either way. */
export async function activateRouteVersion(deps: ServiceDeps, input: z.output<typeof activateRouteInput>) {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const route = await findRoute(tx, caller.projectId, input.routeId);
    const target = await tx.gatewayRouteVersion.findUnique({
      where: { routeId_version: { routeId: route.id, version: input.version } },
    });
    if (!target) throw new DomainError("NOT_FOUND", `Route '${route.name}' has no version ${input.version}`);
    const from = route.activeVersion?.version ?? null;
    if (from === target.version) return { routeId: route.id, version: target.version, changed: false };
    await tx.gatewayRoute.update({ where: { id: route.id }, data: { activeVersionId: target.id } });
    const rollback = from !== null && target.version < from;
    await tx.gatewayRouteActivation.create({
      data: {
        routeId: route.id,
        fromVersion: from,
        toVersion: target.version,
        reason: input.reason || (rollback ? `rolled back to version ${target.version}` : ""),
        actorLabel: caller.actor.label,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: rollback ? "route.rollback" : "route.activate",
      targetType: "route",
      targetId: route.id,
      summary: { route: route.name, from, to: target.version, reason: input.reason },
    });
    await notify(tx, caller.projectId);
    return { routeId: route.id, version: target.version, changed: true };
  });
}

/** Enables/disables a route (a disabled route is not applied) or changes its description. */
export async function updateRoute(deps: ServiceDeps, input: z.output<typeof updateRouteInput>) {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const route = await findRoute(tx, caller.projectId, input.routeId);
    const row = await tx.gatewayRoute.update({
      where: { id: route.id },
      data: { enabled: input.enabled, description: input.description },
      include: summaryInclude,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: input.enabled === false ? "route.disable" : input.enabled === true ? "route.enable" : "route.update",
      targetType: "route",
      targetId: route.id,
      summary: { route: route.name, enabled: input.enabled, description: input.description },
    });
    await notify(tx, caller.projectId);
    return toSummary(row);
  });
}

/** Deletes a route with its versions and history (the audit log keeps the record). */
export async function deleteRoute(deps: ServiceDeps, { id: routeId }: { id: string }) {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const route = await findRoute(tx, caller.projectId, routeId);
    await tx.gatewayRoute.delete({ where: { id: route.id } });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "route.delete",
      targetType: "route",
      targetId: route.id,
      summary: { route: route.name, activeVersion: route.activeVersion?.version ?? null },
    });
    await notify(tx, caller.projectId);
    return { routeId: route.id, deleted: true };
  });
}

export async function listRoutes(deps: ProjectDeps, input: z.output<typeof listRoutesInput>) {
  const where: Prisma.GatewayRouteWhereInput = {
    projectId: deps.caller.projectId,
    ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
    ...textSearch(input.search),
  };
  return paged(
    input,
    (window) => deps.db.gatewayRoute.findMany({ where, include: summaryInclude, orderBy: { name: "asc" }, ...window }),
    () => deps.db.gatewayRoute.count({ where }),
    toSummary,
  );
}

export async function getRoute(deps: ProjectDeps, { id }: { id: string }): Promise<z.infer<typeof routeDetail>> {
  const row = await deps.db.gatewayRoute.findFirst({
    where: { id, projectId: deps.caller.projectId },
    include: {
      ...summaryInclude,
      activations: { orderBy: { createdAt: "desc" }, take: 100 },
    },
  });
  if (!row) throw notFound("Route", id);
  const versions = await deps.db.gatewayRouteVersion.findMany({
    where: { routeId: row.id },
    orderBy: { version: "desc" },
  });
  return {
    ...toSummary(row),
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      format: v.format,
      source: v.source,
      config: v.config as RouteConfig,
      commitMessage: v.commitMessage,
      authorLabel: v.createdByLabel,
      createdAt: v.createdAt,
      active: v.id === row.activeVersionId,
    })),
    activations: row.activations.map((a) => ({
      fromVersion: a.fromVersion,
      toVersion: a.toVersion,
      reason: a.reason,
      actorLabel: a.actorLabel,
      createdAt: a.createdAt,
    })),
  };
}
