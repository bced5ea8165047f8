import type { z } from "zod";
import { ROLE_RANK, type RoleName } from "@/lib/scopes";
import type { Caller } from "@/server/auth/caller";
import { hashPassword } from "@/server/auth/password";
import { endSessions } from "@/server/auth/session-version";
import type { DbTx } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { announceKeysOfMember, revokeKeysOfMember } from "@/server/modules/api-keys/service";
import { recordAudit } from "@/server/modules/audit/service";
import type { ServiceDeps } from "@/server/modules/deps";
import type { addMemberInput, memberSummary } from "@/server/modules/members/schemas";

type Member = z.infer<typeof memberSummary>;
// API keys carry scopes, not roles: the environment's admin key ranks as an
// owner, any other key with members:write as an admin.
function callerRank(caller: Caller): number {
  if (caller.role) return ROLE_RANK[caller.role];
  return caller.actor.type === "api_key" && caller.actor.keyId === null ? ROLE_RANK.owner : ROLE_RANK.admin;
}

function assertMayGrant(caller: Caller, role: RoleName, verb: string) {
  if (ROLE_RANK[role] > callerRank(caller))
    throw new DomainError("FORBIDDEN", `Only an owner can ${verb} the ${role} role`, [
      { path: "role", message: `You cannot ${verb} ${role}` },
    ]);
}

const toMember = (row: { role: RoleName; createdAt: Date; user: { id: string; email: string; name: string } }) => ({
  userId: row.user.id,
  email: row.user.email,
  name: row.user.name,
  role: row.role,
  createdAt: row.createdAt,
});

export async function listMembers(deps: ServiceDeps): Promise<Member[]> {
  const rows = await deps.db.projectMember.findMany({
    where: { projectId: deps.caller.projectId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toMember);
}

export async function addMember(deps: ServiceDeps, input: z.output<typeof addMemberInput>): Promise<Member> {
  const { caller } = deps;
  assertMayGrant(caller, input.role, "grant");
  const projectId = caller.projectId;
  // Hash outside the transaction: it is slow on purpose.
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return deps.db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { email: input.email } });
    const created = !user;
    if (!user) {
      if (!passwordHash)
        throw new DomainError("VALIDATION", `No account uses ${input.email}; give an initial password to create one`, [
          { path: "password", message: "Required to create a new account" },
        ]);
      user = await tx.user.create({
        data: { email: input.email, name: input.name ?? input.email.split("@")[0], passwordHash },
      });
    }
    const exists = await tx.projectMember.findUnique({ where: { projectId_userId: { projectId, userId: user.id } } });
    if (exists) throw new DomainError("CONFLICT", `${input.email} is already a member of this project`);
    const row = await tx.projectMember.create({
      data: { projectId, userId: user.id, role: input.role },
      include: { user: { select: { id: true, email: true, name: true } } },
    });
    await recordAudit(tx, caller.actor, {
      projectId,
      action: "member.add",
      targetType: "user",
      targetId: user.id,
      summary: { email: input.email, role: input.role, accountCreated: created },
    });
    return toMember(row);
  });
}

async function loadMember(tx: DbTx, projectId: string, userId: string) {
  const row = await tx.projectMember.findUnique({
    where: { projectId_userId: { projectId, userId } },
    include: { user: { select: { id: true, email: true, name: true } } },
  });
  if (!row) throw notFound("Member", userId);
  return row;
}

async function assertNotLastOwner(tx: DbTx, projectId: string, role: RoleName) {
  if (role !== "owner") return;
  const owners = await tx.projectMember.count({ where: { projectId, role: "owner" } });
  if (owners <= 1) throw new DomainError("CONFLICT", "A project must keep at least one owner");
}

export async function updateMemberRole(deps: ServiceDeps, input: { userId: string; role: RoleName }): Promise<Member> {
  const { caller } = deps;
  const projectId = caller.projectId;
  return deps.db.$transaction(async (tx) => {
    const current = await loadMember(tx, projectId, input.userId);
    assertMayGrant(caller, current.role, "change");
    assertMayGrant(caller, input.role, "grant");
    if (current.role === input.role) return toMember(current);
    if (current.role === "owner") await assertNotLastOwner(tx, projectId, current.role);
    const row = await tx.projectMember.update({
      where: { projectId_userId: { projectId, userId: input.userId } },
      data: { role: input.role },
      include: { user: { select: { id: true, email: true, name: true } } },
    });
    // Their keys are capped by the new role from the next request (gateway caches drop them), and their sessions end.
    await announceKeysOfMember(tx, projectId, input.userId);
    await endSessions(tx, input.userId);
    await recordAudit(tx, caller.actor, {
      projectId,
      action: "member.role",
      targetType: "user",
      targetId: input.userId,
      summary: { email: row.user.email, from: current.role, to: input.role },
    });
    return toMember(row);
  });
}

export async function removeMember(deps: ServiceDeps, { userId }: { userId: string }): Promise<Member> {
  const { caller } = deps;
  const projectId = caller.projectId;
  return deps.db.$transaction(async (tx) => {
    const current = await loadMember(tx, projectId, userId);
    assertMayGrant(caller, current.role, "remove");
    await assertNotLastOwner(tx, projectId, current.role);
    await tx.projectMember.delete({ where: { projectId_userId: { projectId, userId } } });
    // Their keys go with the membership, and their sessions end.
    const revokedKeys = await revokeKeysOfMember(tx, projectId, userId);
    await endSessions(tx, userId);
    await recordAudit(tx, caller.actor, {
      projectId,
      action: "member.remove",
      targetType: "user",
      targetId: userId,
      summary: { email: current.user.email, role: current.role, revokedKeys },
    });
    return toMember(current);
  });
}
