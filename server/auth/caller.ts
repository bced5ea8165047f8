import { SCOPES, type Scope } from "@/lib/scopes";
import type { ProjectAccess } from "@/server/auth/access";
import { type Actor, SYSTEM_ACTOR } from "@/server/auth/principal";
import { DomainError } from "@/server/errors";

/**
 * Who a domain service acts for, the one caller type: the project, the actor
 * its audit rows name, and what it may do there (the member's role or the
 * key's scopes). `projectProcedure` builds it into `ctx.caller`; scripts and
 * seeds build it with `systemCaller`.
 */
export interface Caller extends ProjectAccess {
  actor: Actor;
}

/** Whether the caller holds a scope. Use it for rights that depend on the data (a protected label), not the procedure. */
function hasScope(caller: Pick<Caller, "scopes">, scope: Scope): boolean {
  return caller.scopes.includes(scope);
}

/** Throws FORBIDDEN unless the caller holds the scope; the message says which. */
export function requireScope(caller: Pick<Caller, "scopes">, scope: Scope, why?: string): void {
  if (!hasScope(caller, scope))
    throw new DomainError("FORBIDDEN", why ? `${why} (needs '${scope}')` : `Missing scope '${scope}'`);
}

/** The caller for work no one requested (setup, seeds, scripts): every scope in one project. */
export function systemCaller(projectId: string, actor: Actor = SYSTEM_ACTOR): Caller {
  return { projectId, role: null, scopes: SCOPES, actor };
}
