/**
 * A key's gateway limits (requests/min, tokens/min, a spend budget per UTC
 * period) and their current usage. The gateway enforces them
 * (`server/modules/gateway/key-limits.ts`); a change reaches each replica
 * when it commits (NOTIFY), else within its key cache's TTL (15 s).
 */
import type { z } from "zod";
import { DomainError, notFound } from "@/server/errors";
import { readKeyWindows } from "@/server/modules/api-keys/counters";
import {
  type apiKeySummary,
  type apiKeyUsage,
  budgetProblem,
  type updateApiKeyLimitsInput,
} from "@/server/modules/api-keys/schemas";
import { summarySelect, toSummary } from "@/server/modules/api-keys/service";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { announceKeyChange } from "./events";

export async function updateApiKeyLimits(
  deps: ServiceDeps,
  input: z.output<typeof updateApiKeyLimitsInput>,
): Promise<z.infer<typeof apiKeySummary>> {
  const { caller } = deps;
  const { id, ...limits } = input;
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.apiKey.findFirst({ where: { id, projectId: caller.projectId } });
    if (!existing) throw notFound("API key", id);
    if (existing.revokedAt) throw new DomainError("CONFLICT", `API key ${existing.prefix}… is revoked`);
    // As at creation: nobody manages a key that carries more power than they hold.
    const beyond = existing.scopes.filter((s) => !(caller.scopes as readonly string[]).includes(s));
    if (beyond.length > 0)
      throw new DomainError(
        "FORBIDDEN",
        `You cannot change the limits of a key with scopes you do not hold: ${beyond.join(", ")}`,
      );
    const budget = {
      budgetUsd: limits.budgetUsd !== undefined ? limits.budgetUsd : (existing.budgetUsd?.toNumber() ?? null),
      budgetPeriod: limits.budgetPeriod !== undefined ? limits.budgetPeriod : existing.budgetPeriod,
    };
    const problem = budgetProblem(budget);
    if (problem) throw new DomainError("VALIDATION", `${problem.path}: ${problem.message}`, [problem]);
    const row = await tx.apiKey.update({ where: { id }, data: limits, select: summarySelect });
    await announceKeyChange(tx, id);
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "apiKey.limits",
      targetType: "apiKey",
      targetId: id,
      summary: {
        name: existing.name,
        prefix: existing.prefix,
        from: {
          requestsPerMinute: existing.requestsPerMinute,
          tokensPerMinute: existing.tokensPerMinute,
          budgetUsd: existing.budgetUsd?.toNumber() ?? null,
          budgetPeriod: existing.budgetPeriod,
        },
        to: limits,
      },
    });
    return toSummary(row);
  });
}

/** Current usage of the project's active keys that have limits (the others are not counted). */
export async function listApiKeyUsage(deps: ServiceDeps): Promise<z.infer<typeof apiKeyUsage>[]> {
  const keys = await deps.db.apiKey.findMany({
    where: {
      projectId: deps.caller.projectId,
      revokedAt: null,
      OR: [{ requestsPerMinute: { not: null } }, { tokensPerMinute: { not: null } }, { budgetUsd: { not: null } }],
    },
    select: { id: true, budgetPeriod: true },
  });
  const windows = await readKeyWindows(
    deps.db,
    keys.map((k) => ({ id: k.id, period: k.budgetPeriod })),
  );
  return keys.map((k) => {
    const w = windows.get(k.id);
    return {
      id: k.id,
      // This UTC minute's (the window the gateway enforces): requests served, tokens used and reserved.
      requestsPerMinute: w?.requests ?? 0,
      tokensPerMinute: w ? Math.round(w.tokens) : 0,
      spentUsd: k.budgetPeriod && w ? w.spent : 0,
      periodEndsAt: k.budgetPeriod && w ? w.periodEnd : null,
    };
  });
}
