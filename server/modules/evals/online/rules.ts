// Online evaluation rules: which evaluator scores which share of a project's live traffic. Every write is
// audited in its transaction and drops the project's rules from this process's cache (others: within its TTL).
import type { z } from "zod";
import type {
  CreateOnlineRule,
  OnlineRuleOut,
  onlineRuleFilterSchema,
  updateOnlineRuleSchema,
} from "@/lib/evals/online";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { forgetOnlineRules } from "./rule-cache";

const SELECT = {
  id: true,
  name: true,
  evaluatorVersionId: true,
  sampleRate: true,
  filter: true,
  enabled: true,
  createdByLabel: true,
  createdAt: true,
} as const;

type RuleRow = { evaluatorVersionId: string; filter: Prisma.JsonValue } & Omit<
  OnlineRuleOut,
  "evaluatorName" | "evaluatorVersion" | "evaluatorType" | "filter"
>;

async function withEvaluators(db: Db | DbTx, rows: RuleRow[]): Promise<OnlineRuleOut[]> {
  const versions = await db.evaluatorVersion.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.evaluatorVersionId))] } },
    select: { id: true, version: true, type: true, evaluator: { select: { name: true } } },
  });
  const byId = new Map(versions.map((v) => [v.id, v]));
  return rows.map((row) => {
    const v = byId.get(row.evaluatorVersionId);
    return {
      ...row,
      filter: row.filter as z.output<typeof onlineRuleFilterSchema>,
      evaluatorName: v?.evaluator.name ?? "",
      evaluatorVersion: v?.version ?? 0,
      evaluatorType: v?.type ?? "",
    };
  });
}

export async function listOnlineRules(deps: ProjectDeps): Promise<OnlineRuleOut[]> {
  const rows = await deps.db.onlineEvalRule.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { createdAt: "asc" },
    select: SELECT,
  });
  return withEvaluators(deps.db, rows);
}

export async function getOnlineRule(deps: ProjectDeps, { id }: { id: string }): Promise<OnlineRuleOut> {
  const row = await deps.db.onlineEvalRule.findFirst({
    where: { id, projectId: deps.caller.projectId },
    select: SELECT,
  });
  if (!row) throw notFound("Online evaluation rule", id);
  const [out] = await withEvaluators(deps.db, [row]);
  return out;
}

/** The evaluator version a rule names: exactly, or the newest version of the evaluator with that name. */
async function resolveEvaluatorVersion(
  db: Db | DbTx,
  projectId: string,
  ref: { evaluatorVersionId?: string; evaluatorName?: string },
): Promise<string> {
  if (ref.evaluatorVersionId) {
    const found = await db.evaluatorVersion.findFirst({
      where: { id: ref.evaluatorVersionId, evaluator: { projectId } },
      select: { id: true },
    });
    if (!found)
      throw new DomainError(
        "NOT_FOUND",
        `evaluatorVersionId: evaluator version '${ref.evaluatorVersionId}' was not found`,
      );
    return found.id;
  }
  const newest = await db.evaluatorVersion.findFirst({
    where: { evaluator: { projectId, name: ref.evaluatorName } },
    orderBy: { version: "desc" },
    select: { id: true },
  });
  if (!newest) throw new DomainError("NOT_FOUND", `evaluatorName: evaluator '${ref.evaluatorName}' was not found`);
  return newest.id;
}

async function checkPrompt(db: Db | DbTx, projectId: string, promptId: string | undefined) {
  if (!promptId) return;
  const prompt = await db.prompt.findFirst({ where: { id: promptId, projectId }, select: { id: true } });
  if (!prompt) throw new DomainError("NOT_FOUND", `filter.promptId: prompt '${promptId}' was not found`);
}

export async function createOnlineRule(deps: ServiceDeps, input: CreateOnlineRule): Promise<OnlineRuleOut> {
  const { caller } = deps;
  try {
    const out = await deps.db.$transaction(async (tx) => {
      const evaluatorVersionId = await resolveEvaluatorVersion(tx, caller.projectId, input);
      await checkPrompt(tx, caller.projectId, input.filter.promptId);
      const row = await tx.onlineEvalRule.create({
        data: {
          projectId: caller.projectId,
          name: input.name,
          evaluatorVersionId,
          sampleRate: input.sampleRate,
          filter: input.filter as Prisma.InputJsonValue,
          enabled: input.enabled,
          createdByLabel: caller.actor.label,
        },
        select: SELECT,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "online_eval_rule.create",
        targetType: "online_eval_rule",
        targetId: row.id,
        summary: { name: row.name, evaluatorVersionId, sampleRate: row.sampleRate, enabled: row.enabled },
      });
      const [withEvaluator] = await withEvaluators(tx, [row]);
      return withEvaluator;
    });
    forgetOnlineRules(caller.projectId);
    return out;
  } catch (error) {
    throw mapPrismaError(error, `An online evaluation rule named '${input.name}' already exists in this project`);
  }
}

export async function updateOnlineRule(
  deps: ServiceDeps,
  input: z.output<typeof updateOnlineRuleSchema>,
): Promise<OnlineRuleOut> {
  const { caller } = deps;
  const { id, ...changes } = input;
  try {
    const out = await deps.db.$transaction(async (tx) => {
      const existing = await tx.onlineEvalRule.findFirst({
        where: { id, projectId: caller.projectId },
        select: SELECT,
      });
      if (!existing) throw notFound("Online evaluation rule", id);
      if (changes.evaluatorVersionId) await resolveEvaluatorVersion(tx, caller.projectId, changes);
      await checkPrompt(tx, caller.projectId, changes.filter?.promptId);
      const row = await tx.onlineEvalRule.update({
        where: { id },
        data: {
          name: changes.name,
          evaluatorVersionId: changes.evaluatorVersionId,
          sampleRate: changes.sampleRate,
          filter: changes.filter as Prisma.InputJsonValue | undefined,
          enabled: changes.enabled,
        },
        select: SELECT,
      });
      await recordAudit(tx, caller.actor, {
        projectId: caller.projectId,
        action: "online_eval_rule.update",
        targetType: "online_eval_rule",
        targetId: id,
        summary: { name: row.name, changes },
      });
      const [withEvaluator] = await withEvaluators(tx, [row]);
      return withEvaluator;
    });
    forgetOnlineRules(caller.projectId);
    return out;
  } catch (error) {
    throw mapPrismaError(error, `An online evaluation rule named '${changes.name}' already exists in this project`);
  }
}

/** Deletes a rule and its scores. */
export async function deleteOnlineRule(deps: ServiceDeps, { id }: { id: string }): Promise<{ id: string }> {
  const { caller } = deps;
  await deps.db.$transaction(async (tx) => {
    const existing = await tx.onlineEvalRule.findFirst({
      where: { id, projectId: caller.projectId },
      select: { id: true, name: true },
    });
    if (!existing) throw notFound("Online evaluation rule", id);
    await tx.onlineEvalRule.delete({ where: { id } });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "online_eval_rule.delete",
      targetType: "online_eval_rule",
      targetId: id,
      summary: { name: existing.name },
    });
  });
  forgetOnlineRules(caller.projectId);
  return { id };
}

/** The evaluators a rule may use (the console's picker): each with its newest version. */
export async function listEvaluatorChoices(deps: ProjectDeps) {
  const evaluators = await deps.db.evaluator.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { name: "asc" },
    select: {
      name: true,
      description: true,
      versions: { orderBy: { version: "desc" }, take: 1, select: { id: true, version: true, type: true } },
    },
  });
  return evaluators
    .filter((e) => e.versions.length > 0)
    .map((e) => ({
      name: e.name,
      description: e.description,
      evaluatorVersionId: e.versions[0].id,
      version: e.versions[0].version,
      type: e.versions[0].type,
    }));
}
