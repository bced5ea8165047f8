import type { Session } from "next-auth";
import { auth } from "@/server/auth/config";
import type { Principal } from "@/server/auth/principal";

/**
 * The signed-in user behind the session cookie (Next request scope only).
 * Auth.js's `jwt` callback has already re-read the user and checked the
 * cookie's session version (server/auth/config.ts), so an ended session is null here.
 */
export async function sessionPrincipal(): Promise<Principal | null> {
  return principalOfSession(await auth());
}

/** The principal a session answer describes (what `auth()` or GET /api/auth/session returns). */
export function principalOfSession(session: Session | null): Principal | null {
  const user = session?.user;
  if (!user?.id) return null;
  return { kind: "user", userId: user.id, email: user.email, name: user.name };
}
