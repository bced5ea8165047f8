/**
 * Factories shared by integration tests, the seed and e2e set-up. They write
 * through the same domain services the app uses, so rows are always valid.
 */
import { randomUUID } from "node:crypto";
import { type RoleName, SCOPES, type Scope } from "@/lib/scopes";
import { generateApiKey } from "@/server/auth/api-key";
import { hashPassword } from "@/server/auth/password";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { createOrganizationInput } from "@/server/modules/projects/schemas";
import { createOrganization } from "@/server/modules/projects/service";
import { createCaller } from "@/server/trpc/root";

// Hashing is slow on purpose; tests share one hash for the same password.
const hashes = new Map<string, Promise<string>>();
const cachedHash = (password: string) => {
  if (!hashes.has(password)) hashes.set(password, hashPassword(password));
  return hashes.get(password)!;
};

export async function makeUser(db: Db, overrides: { email?: string; name?: string; password?: string } = {}) {
  const email = overrides.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const user = await db.user.create({
    data: {
      email,
      name: overrides.name ?? email.split("@")[0],
      passwordHash: await cachedHash(overrides.password ?? "correct horse"),
    },
  });
  const principal: Principal = { kind: "user", userId: user.id, email: user.email, name: user.name };
  return { user, principal };
}

/** An organisation with one project owned by a new user. */
export async function makeProject(db: Db, name = "Test project") {
  const owner = await makeUser(db);
  const project = await createOrganization(
    { db, actor: { type: "user", userId: owner.user.id, keyId: null, label: owner.user.email } },
    createOrganizationInput.parse({ name: `Org of ${name}`, projectName: name }),
  );
  return { project, owner };
}

export async function addMember(db: Db, projectId: string, role: RoleName) {
  const member = await makeUser(db);
  await db.projectMember.create({ data: { projectId, userId: member.user.id, role } });
  return member;
}

/** An API key row plus the principal it resolves to. */
export async function makeApiKey(db: Db, projectId: string, scopes: readonly Scope[] = SCOPES) {
  const generated = generateApiKey();
  const row = await db.apiKey.create({
    data: {
      projectId,
      name: "test key",
      prefix: generated.prefix,
      secretHash: generated.secretHash,
      scopes: [...scopes],
      createdByLabel: "test",
    },
  });
  const principal: Principal = { kind: "apiKey", keyId: row.id, projectId, scopes, label: `${row.prefix}… (test key)` };
  return { key: generated.key, row, principal };
}

/** A tRPC caller acting as `principal` (null: anonymous) in `projectId`. */
export function callerFor(db: Db, principal: Principal | null, projectId: string | null = null) {
  return createCaller({ db, principal, projectId });
}
