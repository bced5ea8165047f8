import { randomBytes } from "node:crypto";
import type { z } from "zod";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import type {
  createExperimentInput,
  ExperimentDecision,
  experimentOut,
  MetricDefinition,
  variantOut,
} from "@/server/modules/experiments/schemas";
import type { GenerationParams } from "@/server/modules/models/schemas";

type ExperimentOut = z.infer<typeof experimentOut>;

export const experimentInclude = {
  variants: { include: { promptVersion: { select: { version: true } } }, orderBy: { position: "asc" as const } },
  prompt: { select: { name: true } },
};

type Row = Prisma.ExperimentGetPayload<{ include: typeof experimentInclude }>;

export function toVariantOut(v: Row["variants"][number]): z.infer<typeof variantOut> {
  return {
    id: v.id,
    key: v.key,
    name: v.name,
    weight: v.weight,
    isControl: v.isControl,
    promptVersion: v.promptVersion?.version ?? null,
    modelVersionId: v.modelVersionId,
    params: (v.params ?? {}) as GenerationParams,
  };
}

/** The stored metric definitions, with what rows from before feedback metrics lack filled in. */
export function metricsOf(stored: Prisma.JsonValue): ExperimentOut["metrics"] {
  return (stored as Partial<MetricDefinition>[]).map((m) => ({
    name: m.name ?? "",
    kind: m.kind ?? "rate",
    higherIsBetter: m.higherIsBetter ?? true,
    source: m.source ?? "outcomes",
    feedbackName: m.source === "feedback" ? (m.feedbackName ?? m.name ?? null) : null,
    onlineEvalRule: m.source === "online_eval" ? (m.onlineEvalRule ?? m.name ?? null) : null,
  }));
}

export function toExperimentOut(row: Row): ExperimentOut {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    hypothesis: row.hypothesis,
    status: row.status,
    trafficPercent: Math.round(row.trafficShare * 10000) / 100,
    metrics: metricsOf(row.metrics),
    plannedUnitsPerArm: row.plannedUnitsPerArm,
    promptId: row.promptId,
    promptName: row.prompt?.name ?? null,
    promoteLabel: row.promoteLabel,
    sequential: row.sequential,
    decision: (row.decision ?? null) as ExperimentDecision | null,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    concludedAt: row.concludedAt,
    createdAt: row.createdAt,
    variants: row.variants.map(toVariantOut),
  };
}

export async function loadExperiment(db: Db | DbTx, projectId: string, id: string): Promise<Row> {
  const row = await db.experiment.findFirst({ where: { id, projectId }, include: experimentInclude });
  if (!row) throw notFound("Experiment", id);
  return row;
}

export async function listExperiments(deps: ProjectDeps, { status }: { status?: ExperimentOut["status"] }) {
  const rows = await deps.db.experiment.findMany({
    where: { projectId: deps.caller.projectId, ...(status ? { status } : {}) },
    include: experimentInclude,
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return rows.map(toExperimentOut);
}

export async function getExperiment(deps: ProjectDeps, { id }: { id: string }): Promise<ExperimentOut> {
  return toExperimentOut(await loadExperiment(deps.db, deps.caller.projectId, id));
}

/** A draft experiment; the first variant is the control unless one is marked. */
export async function createExperiment(deps: ServiceDeps, input: z.output<typeof createExperimentInput>) {
  const { caller } = deps;
  const promptVersions = new Map<number, string>();
  if (input.promptId) {
    const prompt = await deps.db.prompt.findFirst({ where: { id: input.promptId, projectId: caller.projectId } });
    if (!prompt) throw notFound("Prompt", input.promptId);
    for (const v of await deps.db.promptVersion.findMany({
      where: { promptId: prompt.id },
      select: { id: true, version: true },
    }))
      promptVersions.set(v.version, v.id);
  }
  const hasControl = input.variants.some((v) => v.isControl);
  const variants = input.variants.map((v, position) => {
    if (v.promptVersion !== undefined && !promptVersions.has(v.promptVersion))
      throw new DomainError("NOT_FOUND", `The prompt has no version ${v.promptVersion}`, [
        { path: `variants.${position}.promptVersion`, message: "No such version" },
      ]);
    return {
      key: v.key,
      name: v.name || v.key,
      weight: v.weight,
      isControl: hasControl ? v.isControl : position === 0,
      promptVersionId: v.promptVersion !== undefined ? promptVersions.get(v.promptVersion)! : null,
      modelVersionId: v.modelVersionId ?? null,
      params: v.params as Prisma.InputJsonValue,
      position,
    };
  });
  for (const [i, v] of variants.entries())
    if (v.modelVersionId) {
      const found = await deps.db.modelVersion.findFirst({
        where: { id: v.modelVersionId, model: { projectId: caller.projectId } },
      });
      if (!found)
        throw new DomainError("NOT_FOUND", "No such model version", [
          { path: `variants.${i}.modelVersionId`, message: "Not found" },
        ]);
    }
  try {
    return await deps.db.$transaction(async (tx) => {
      const row = await tx.experiment.create({
        data: {
          projectId: caller.projectId,
          name: input.name,
          description: input.description,
          hypothesis: input.hypothesis,
          salt: randomBytes(8).toString("hex"),
          trafficShare: input.trafficPercent / 100,
          metrics: input.metrics.map((m) =>
            m.source === "feedback" ? { ...m, feedbackName: m.feedbackName ?? m.name } : m,
          ) as Prisma.InputJsonValue,
          plannedUnitsPerArm: input.plannedUnitsPerArm ?? null,
          promptId: input.promptId ?? null,
          promoteLabel: input.promoteLabel,
          sequential: input.sequential,
          variants: { create: variants },
        },
        include: experimentInclude,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "experiment.create",
        targetType: "experiment",
        targetId: row.id,
        summary: { name: input.name, variants: variants.map((v) => `${v.key}:${v.weight}`) },
      });
      return toExperimentOut(row);
    });
  } catch (error) {
    throw mapPrismaError(error, `An experiment named '${input.name}' already exists`);
  }
}

const TRANSITIONS: Record<
  string,
  { from: ExperimentOut["status"][]; to: ExperimentOut["status"]; stamp: "startedAt" | "stoppedAt" }
> = {
  start: { from: ["draft", "stopped"], to: "running", stamp: "startedAt" },
  stop: { from: ["running"], to: "stopped", stamp: "stoppedAt" },
};

/** draft → running → stopped (→ running again); a running experiment's variants are frozen. */
export async function transition(deps: ServiceDeps, { id, action }: { id: string; action: "start" | "stop" }) {
  const { caller } = deps;
  const rule = TRANSITIONS[action];
  return deps.db.$transaction(async (tx) => {
    const row = await loadExperiment(tx, caller.projectId, id);
    if (!rule.from.includes(row.status))
      throw new DomainError("CONFLICT", `Cannot ${action} an experiment that is ${row.status}`);
    const updated = await tx.experiment.update({
      where: { id },
      data: { status: rule.to, [rule.stamp]: row[rule.stamp] && action === "start" ? row[rule.stamp] : new Date() },
      include: experimentInclude,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: `experiment.${action}`,
      targetType: "experiment",
      targetId: id,
      summary: { name: row.name, from: row.status, to: rule.to },
    });
    return toExperimentOut(updated);
  });
}

/** Changing the traffic share keeps assigned units in their variants (see assignment). */
export async function setTrafficShare(
  deps: ServiceDeps,
  { id, trafficPercent: percent }: { id: string; trafficPercent: number },
) {
  const { caller } = deps;
  if (!(percent > 0 && percent <= 100))
    throw new DomainError("VALIDATION", "Traffic must be between 0 and 100 %", [
      { path: "trafficPercent", message: "0 < % ≤ 100" },
    ]);
  return deps.db.$transaction(async (tx) => {
    const row = await loadExperiment(tx, caller.projectId, id);
    if (row.status === "concluded") throw new DomainError("CONFLICT", "The experiment is concluded");
    const updated = await tx.experiment.update({
      where: { id },
      data: { trafficShare: percent / 100 },
      include: experimentInclude,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "experiment.traffic",
      targetType: "experiment",
      targetId: id,
      summary: { name: row.name, from: row.trafficShare * 100, to: percent },
    });
    return toExperimentOut(updated);
  });
}
