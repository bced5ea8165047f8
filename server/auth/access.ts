import { ROLE_SCOPES, type RoleName, type Scope } from "@/lib/scopes";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";

export interface ProjectAccess {
  projectId: string;
  /** The member's role; null for API keys, which carry scopes directly. */
  role: RoleName | null;
  scopes: readonly Scope[];
}

/**
 * What a principal may do in a project. Users need a membership; API keys are
 * bound to their own project and may not reach into another.
 */
export async function resolveProjectAccess(
  db: Db,
  principal: Principal,
  requestedProjectId: string | null,
): Promise<ProjectAccess> {
  if (principal.kind === "apiKey") {
    if (requestedProjectId && requestedProjectId !== principal.projectId)
      throw new DomainError("FORBIDDEN", "This API key belongs to another project");
    return { projectId: principal.projectId, role: null, scopes: principal.scopes };
  }
  if (!requestedProjectId)
    throw new DomainError("BAD_REQUEST", "Choose a project: send the x-switchyard-project header");
  if (!/^[0-9a-f-]{36}$/i.test(requestedProjectId))
    throw new DomainError("BAD_REQUEST", `'${requestedProjectId}' is not a project id`);
  const member = await db.projectMember.findUnique({
    where: { projectId_userId: { projectId: requestedProjectId, userId: principal.userId } },
    select: { role: true },
  });
  if (!member) throw new DomainError("FORBIDDEN", "You are not a member of this project");
  return { projectId: requestedProjectId, role: member.role, scopes: ROLE_SCOPES[member.role] };
}
