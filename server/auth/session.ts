import { auth } from "@/server/auth/config";
import type { Principal } from "@/server/auth/principal";
import { db } from "@/server/db";

/** The signed-in user behind the session cookie, re-read from the database (Next request scope only). */
export async function sessionPrincipal(): Promise<Principal | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const user = await db().user.findUnique({ where: { id }, select: { id: true, email: true, name: true } });
  return user ? { kind: "user", userId: user.id, email: user.email, name: user.name } : null;
}
