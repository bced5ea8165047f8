import type { DbTx } from "@/server/db";

/**
 * Session cookies are signed JWTs, so the server cannot delete one; instead
 * each carries its user's `sessionVersion` from sign-in, and the session
 * callback refuses a cookie whose version is no longer current. Bumping it
 * ends every session of the user at once, on every replica.
 */
export async function endSessions(tx: DbTx, userId: string): Promise<void> {
  await tx.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}

/** The user behind a session cookie, or null when the user is gone or the cookie's version was ended. */
export async function currentSessionUser(
  tx: DbTx,
  userId: string,
  version: unknown,
): Promise<{ id: string; email: string; name: string; sessionVersion: number } | null> {
  if (typeof version !== "number") return null; // cookies from before session versions: sign in again
  const user = await tx.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, sessionVersion: true },
  });
  return user && user.sessionVersion === version ? user : null;
}
