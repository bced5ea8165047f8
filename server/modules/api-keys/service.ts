import type { z } from "zod";
import { generateApiKey } from "@/server/auth/api-key";
import type { Caller } from "@/server/auth/caller";
import type { DbTx } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { apiKeySummary, createApiKeyInput, createdApiKey } from "@/server/modules/api-keys/schemas";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import { announceKeyChange } from "./events";

type Summary = z.infer<typeof apiKeySummary>;

export const summarySelect = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  requestsPerMinute: true,
  tokensPerMinute: true,
  budgetUsd: true,
  budgetPeriod: true,
  createdBy: { select: { email: true } },
} as const;

export function toSummary(row: {
  createdBy: { email: string } | null;
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  budgetUsd: { toNumber(): number } | null;
  budgetPeriod: Summary["budgetPeriod"];
}): Summary {
  const { createdBy, budgetUsd, ...rest } = row;
  return { ...rest, budgetUsd: budgetUsd ? budgetUsd.toNumber() : null, createdBy: createdBy?.email ?? null };
}

export async function createApiKey(
  deps: ServiceDeps,
  input: z.output<typeof createApiKeyInput>,
): Promise<z.infer<typeof createdApiKey>> {
  const { caller } = deps;
  // A key may never carry more power than the caller who makes it.
  const beyond = input.scopes.filter((s) => !caller.scopes.includes(s));
  if (beyond.length > 0)
    throw new DomainError("FORBIDDEN", `You cannot grant scopes you do not hold: ${beyond.join(", ")}`, [
      { path: "scopes", message: `Not yours to grant: ${beyond.join(", ")}` },
    ]);
  const scopes = [...new Set(input.scopes)].sort();
  const generated = generateApiKey();
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        ownerUserId: await ownerFor(tx, caller),
        projectId: caller.projectId,
        name: input.name,
        prefix: generated.prefix,
        secretHash: generated.secretHash,
        scopes,
        expiresAt,
        createdById: caller.actor.userId,
        createdByLabel: caller.actor.label,
        requestsPerMinute: input.requestsPerMinute,
        tokensPerMinute: input.tokensPerMinute,
        budgetUsd: input.budgetUsd,
        budgetPeriod: input.budgetPeriod,
      },
      select: summarySelect,
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "apiKey.create",
      targetType: "apiKey",
      targetId: created.id,
      summary: {
        name: input.name,
        prefix: generated.prefix,
        scopes,
        expiresAt,
        limits: {
          requestsPerMinute: input.requestsPerMinute,
          tokensPerMinute: input.tokensPerMinute,
          budgetUsd: input.budgetUsd,
          budgetPeriod: input.budgetPeriod,
        },
      },
    });
    return created;
  });
  return { ...toSummary(row), key: generated.key };
}

/**
 * The user a new key acts for, whose current role caps it on every use: the
 * signed-in user, or the user the calling key acts for (so a key cannot mint
 * a key that outlives its user's membership). Null for the system and
 * SWITCHYARD_ADMIN_API_KEY.
 */
async function ownerFor(tx: DbTx, caller: Caller): Promise<string | null> {
  if (caller.actor.type === "user") return caller.actor.userId;
  if (caller.actor.type !== "api_key" || !caller.actor.keyId) return null;
  const parent = await tx.apiKey.findUnique({ where: { id: caller.actor.keyId }, select: { ownerUserId: true } });
  return parent?.ownerUserId ?? null;
}

/**
 * When a member leaves a project, the keys that act for them go too: revoked in
 * the caller's transaction and dropped from every gateway's cache when it
 * commits. Returns how many were revoked.
 */
export async function revokeKeysOfMember(tx: DbTx, projectId: string, userId: string): Promise<number> {
  const keys = await tx.apiKey.findMany({
    where: { projectId, ownerUserId: userId, revokedAt: null },
    select: { id: true },
  });
  if (keys.length === 0) return 0;
  await tx.apiKey.updateMany({ where: { id: { in: keys.map((k) => k.id) } }, data: { revokedAt: new Date() } });
  for (const key of keys) await announceKeyChange(tx, key.id);
  return keys.length;
}

/** After a member's role changes: gateways drop that member's keys, so the next request is capped by the new role. */
export async function announceKeysOfMember(tx: DbTx, projectId: string, userId: string): Promise<void> {
  const keys = await tx.apiKey.findMany({
    where: { projectId, ownerUserId: userId, revokedAt: null },
    select: { id: true },
  });
  for (const key of keys) await announceKeyChange(tx, key.id);
}

export async function listApiKeys(
  deps: ServiceDeps,
  { includeRevoked }: { includeRevoked: boolean },
): Promise<Summary[]> {
  const rows = await deps.db.apiKey.findMany({
    where: { projectId: deps.caller.projectId, ...(includeRevoked ? {} : { revokedAt: null }) },
    orderBy: { createdAt: "desc" },
    select: summarySelect,
  });
  return rows.map(toSummary);
}

export async function revokeApiKey(deps: ServiceDeps, { id }: { id: string }): Promise<Summary> {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const existing = await tx.apiKey.findFirst({ where: { id, projectId: caller.projectId } });
    if (!existing) throw notFound("API key", id);
    if (existing.revokedAt) throw new DomainError("CONFLICT", `API key ${existing.prefix}… is already revoked`);
    const row = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: summarySelect });
    await announceKeyChange(tx, id);
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "apiKey.revoke",
      targetType: "apiKey",
      targetId: id,
      summary: { name: existing.name, prefix: existing.prefix },
    });
    return toSummary(row);
  });
}
