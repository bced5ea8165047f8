import { hashPassword, verifyPassword } from "@/server/auth/password";
import { SYSTEM_ACTOR } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { recordAudit } from "@/server/modules/audit/service";
import { createOrganization } from "@/server/modules/projects/service";

/** Checks e-mail and password; returns the user or null (never says which part was wrong). */
export async function authenticate(deps: { db: Db }, email: string, password: string) {
  const user = await deps.db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) {
    // Spend the same time as a real check so timing does not reveal which e-mails exist.
    await hashPassword(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

export interface BootstrapResult {
  userId: string;
  email: string;
  projectId: string;
  organizationName: string;
  projectName: string;
  createdUser: boolean;
  createdOrganization: boolean;
}

/**
 * First-run set-up, safe to repeat: makes sure the admin account exists (with
 * this password: setting ADMIN_PASSWORD again resets it) and owns a demo
 * organisation and project.
 */
export async function bootstrapAdmin(
  deps: { db: Db },
  admin: { email: string; password: string; name?: string },
): Promise<BootstrapResult> {
  const email = admin.email.trim().toLowerCase();
  let user = await deps.db.user.findUnique({ where: { email } });
  const createdUser = !user;
  if (!user) {
    user = await deps.db.user.create({
      data: { email, name: admin.name ?? "Admin", passwordHash: await hashPassword(admin.password) },
    });
  }
  const passwordReset = !createdUser && !(await verifyPassword(admin.password, user.passwordHash));
  if (passwordReset) {
    user = await deps.db.user.update({
      where: { id: user.id },
      data: { passwordHash: await hashPassword(admin.password) },
    });
  }
  const actor = { type: "user" as const, userId: user.id, keyId: null, label: email };
  const membership = await deps.db.projectMember.findFirst({
    where: { userId: user.id },
    include: { project: { include: { organization: true } } },
    orderBy: { createdAt: "asc" },
  });
  if (membership) {
    if (passwordReset) {
      await recordAudit(deps.db, SYSTEM_ACTOR, {
        projectId: membership.projectId,
        action: "admin.passwordReset",
        targetType: "user",
        targetId: user.id,
        summary: { email },
      });
    }
    return {
      userId: user.id,
      email,
      projectId: membership.projectId,
      organizationName: membership.project.organization.name,
      projectName: membership.project.name,
      createdUser,
      createdOrganization: false,
    };
  }
  const project = await createOrganization(deps, actor, { name: "Demo organisation", projectName: "Demo project" });
  return {
    userId: user.id,
    email,
    projectId: project.id,
    organizationName: project.organizationName,
    projectName: project.name,
    createdUser,
    createdOrganization: true,
  };
}
