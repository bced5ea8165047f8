import { createHash, hash, randomBytes, timingSafeEqual } from "node:crypto";
import { isScope, ROLE_SCOPES, SCOPES, type Scope } from "@/lib/scopes";
import type { KeyLimits, Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";

/**
 * API keys look like `sy_` + 32 url-safe characters. Only the SHA-256 of the
 * whole key is stored (keys are long and random, so a slow hash adds nothing);
 * the first 11 characters are kept as a visible prefix.
 */
export const KEY_PREFIX_LENGTH = 11;

export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const key = `sy_${randomBytes(24).toString("base64url")}`;
  return { key, prefix: key.slice(0, KEY_PREFIX_LENGTH), secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  // One-shot crypto.hash (Node >= 20.12): a third of createHash's cost, and the gateway hashes every request's key.
  return hash("sha256", key, "hex");
}

/** Reads `Authorization: Bearer <key>`; undefined when absent. */
export function bearerToken(headers: Pick<Headers, "get">): string | undefined {
  const value = headers.get("authorization");
  if (!value) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  if (!match) throw new DomainError("UNAUTHENTICATED", "Authorization header must be 'Bearer <api key>'");
  return match[1];
}

// Writing last_used_at on every request would turn each read into a write;
// once a minute per key is enough to answer "is this key still in use?".
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves an API key to a principal, or throws UNAUTHENTICATED. */
export async function verifyApiKey(db: Db, key: string): Promise<Principal> {
  const adminKey = process.env.SWITCHYARD_ADMIN_API_KEY;
  if (adminKey && safeEqual(key, adminKey)) {
    const project = await db.project.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
    if (!project) throw new DomainError("UNAUTHENTICATED", "No project exists yet for SWITCHYARD_ADMIN_API_KEY");
    return { kind: "apiKey", keyId: null, projectId: project.id, scopes: SCOPES, label: "SWITCHYARD_ADMIN_API_KEY" };
  }
  const row = await db.apiKey.findUnique({ where: { secretHash: hashApiKey(key) } });
  if (!row) throw new DomainError("UNAUTHENTICATED", "Invalid API key");
  return principalOfRow(db, row);
}

/**
 * The principal of a key known by id (work a key started earlier, e.g. a batch's lines): checked as on every
 * use (revoked, expired, its user's current role), so revoking the key stops the rest of its batch.
 */
export async function principalOfKeyId(db: Db, keyId: string): Promise<Principal> {
  const row = await db.apiKey.findUnique({ where: { id: keyId } });
  if (!row) throw new DomainError("UNAUTHENTICATED", "The API key that started this work no longer exists");
  return principalOfRow(db, row);
}

async function principalOfRow(
  db: Db,
  row: NonNullable<Awaited<ReturnType<Db["apiKey"]["findUnique"]>>>,
): Promise<Principal> {
  if (row.revokedAt) throw new DomainError("UNAUTHENTICATED", "This API key has been revoked");
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now())
    throw new DomainError("UNAUTHENTICATED", "This API key has expired");
  const scopes = await currentScopes(db, row);
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return {
    kind: "apiKey" as const,
    keyId: row.id,
    projectId: row.projectId,
    scopes,
    label: `${row.prefix}… (${row.name})`,
    limits: limitsOf(row),
    expiresAt: row.expiresAt?.getTime() ?? null,
  };
}

/**
 * A key is only as strong as its user's current role: its scopes, less what
 * that role no longer grants (a demotion takes effect on the next use). A
 * user who is no longer a member of the key's project makes the key useless.
 * Keys the system or SWITCHYARD_ADMIN_API_KEY minted act for no user and keep
 * their own scopes.
 */
async function currentScopes(
  db: Db,
  row: { projectId: string; ownerUserId: string | null; scopes: string[] },
): Promise<Scope[]> {
  const own = row.scopes.filter(isScope);
  if (!row.ownerUserId) return own;
  const member = await db.projectMember.findUnique({
    where: { projectId_userId: { projectId: row.projectId, userId: row.ownerUserId } },
    select: { role: true },
  });
  if (!member) throw new DomainError("UNAUTHENTICATED", "This API key's user is no longer a member of its project");
  const granted = ROLE_SCOPES[member.role];
  return own.filter((scope) => granted.includes(scope));
}

/** The key's limits, or null when it has none (the gateway then skips the counters entirely). */
function limitsOf(row: {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  budgetUsd: { toNumber(): number } | null;
  budgetPeriod: KeyLimits["budgetPeriod"];
}): KeyLimits | null {
  const limits: KeyLimits = {
    requestsPerMinute: row.requestsPerMinute,
    tokensPerMinute: row.tokensPerMinute,
    budgetUsd: row.budgetUsd && row.budgetPeriod ? row.budgetUsd.toNumber() : null,
    budgetPeriod: row.budgetUsd && row.budgetPeriod ? row.budgetPeriod : null,
  };
  return limits.requestsPerMinute || limits.tokensPerMinute || limits.budgetUsd ? limits : null;
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}
