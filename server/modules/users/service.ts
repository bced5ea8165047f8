import { hashPassword, verifyPassword } from "@/server/auth/password";
import { SYSTEM_ACTOR } from "@/server/auth/principal";
import { endSessions } from "@/server/auth/session-version";
import { type SignInThrottleSettings, signInSucceeded, takeSignInAttempt } from "@/server/auth/sign-in-throttle";
import type { Db } from "@/server/db";
import { env } from "@/server/env";
import { recordAudit } from "@/server/modules/audit/service";
import { createOrganizationInput } from "@/server/modules/projects/schemas";
import { createOrganization } from "@/server/modules/projects/service";

export type AuthResult =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  /** `retryAfterSeconds`: throttled, nothing was checked; null: wrong e-mail or password. */
  | { ok: false; retryAfterSeconds: number | null };

/** Where the attempt comes from (CLIENT_ADDRESS_HEADER), and the throttle's settings (default: the environment's). */
export interface SignInSource {
  address: string;
  throttle?: SignInThrottleSettings;
}

/**
 * Checks e-mail and password (never saying which part was wrong), throttled
 * per (e-mail, address) and per address (server/auth/sign-in-throttle.ts) so
 * guessing and spraying slow down without locking the owner out.
 */
export async function authenticate(
  deps: { db: Db },
  rawEmail: string,
  password: string,
  source: SignInSource,
): Promise<AuthResult> {
  const email = rawEmail.trim().toLowerCase();
  const settings = source.throttle ?? signInThrottleSettings();
  const wait = await takeSignInAttempt(deps.db, settings, email, source.address);
  if (wait !== null) return { ok: false, retryAfterSeconds: wait };
  const user = await deps.db.user.findUnique({ where: { email } });
  let valid = false;
  if (user) valid = await verifyPassword(password, user.passwordHash);
  // Without a user, spend the same time as a real check so timing does not reveal which e-mails exist.
  else await hashPassword(password);
  if (!valid || !user) return { ok: false, retryAfterSeconds: null };
  await signInSucceeded(deps.db, settings, email, source.address);
  return {
    ok: true,
    user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion },
  };
}

function signInThrottleSettings(): SignInThrottleSettings {
  const config = env();
  return { accountBurst: config.SWITCHYARD_SIGNIN_ACCOUNT_BURST, addressBurst: config.SWITCHYARD_SIGNIN_ADDRESS_BURST };
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
    await endSessions(deps.db, user.id);
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
