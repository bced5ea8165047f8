import { hashPassword, verifyPassword } from "@/server/auth/password";
import { SYSTEM_ACTOR } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { recordAudit } from "@/server/modules/audit/service";
import { createOrganizationInput } from "@/server/modules/projects/schemas";
import { createOrganization } from "@/server/modules/projects/service";

/** Failures allowed per e-mail within the window before sign-in is locked for LOCK_MINUTES. */
export const MAX_FAILURES = 10;
const WINDOW_MINUTES = 15;
const LOCK_MINUTES = 15;

export type AuthResult =
  | { ok: true; user: { id: string; email: string; name: string } }
  | { ok: false; lockedUntil: Date | null };

/**
 * Checks e-mail and password (never saying which part was wrong), counting
 * failures per e-mail so password guessing is slowed down on every replica.
 */
export async function authenticate(deps: { db: Db }, rawEmail: string, password: string): Promise<AuthResult> {
  const email = rawEmail.trim().toLowerCase();
  const throttle = await deps.db.signInThrottle.findUnique({ where: { email } });
  if (throttle?.lockedUntil && throttle.lockedUntil > new Date())
    return { ok: false, lockedUntil: throttle.lockedUntil };
  const user = await deps.db.user.findUnique({ where: { email } });
  let valid = false;
  if (user) valid = await verifyPassword(password, user.passwordHash);
  // Without a user, spend the same time as a real check so timing does not reveal which e-mails exist.
  else await hashPassword(password);
  if (valid && user) {
    if (throttle) await deps.db.signInThrottle.deleteMany({ where: { email } });
    return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
  }
  // One statement, so concurrent failures on several replicas all count.
  const rows = await deps.db.$queryRaw<{ locked_until: Date | null }[]>`
    INSERT INTO sign_in_throttle (email, failures, window_start) VALUES (${email}, 1, now())
    ON CONFLICT (email) DO UPDATE SET
      failures = CASE WHEN sign_in_throttle.window_start < now() - make_interval(mins => ${WINDOW_MINUTES})
                      THEN 1 ELSE sign_in_throttle.failures + 1 END,
      window_start = CASE WHEN sign_in_throttle.window_start < now() - make_interval(mins => ${WINDOW_MINUTES})
                          THEN now() ELSE sign_in_throttle.window_start END,
      locked_until = CASE WHEN sign_in_throttle.window_start >= now() - make_interval(mins => ${WINDOW_MINUTES})
                               AND sign_in_throttle.failures + 1 >= ${MAX_FAILURES}
                          THEN now() + make_interval(mins => ${LOCK_MINUTES}) ELSE NULL END
    RETURNING locked_until`;
  return { ok: false, lockedUntil: rows[0]?.locked_until ?? null };
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
  const project = await createOrganization(
    { ...deps, actor },
    createOrganizationInput.parse({ name: "Demo organisation", projectName: "Demo project" }),
  );
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
