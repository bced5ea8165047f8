import type { Scope } from "@/lib/scopes";
import { resolveProjectAccess } from "@/server/auth/access";
import { bearerToken, verifyApiKey } from "@/server/auth/api-key";
import { type Caller, requireScope } from "@/server/auth/caller";
import { actorOf, type Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Context } from "@/server/trpc/init";

const PROJECT_HEADER = "x-switchyard-project";

export interface RequestDeps {
  db: Db;
  /** Resolves the session cookie; routes pass `sessionPrincipal`, tests a stand-in. */
  session: () => Promise<Principal | null>;
}

/**
 * The tRPC/REST context for an HTTP request: an API key when the request
 * carries `Authorization: Bearer`, else the session cookie.
 */
export async function createRequestContext(req: Request, deps: RequestDeps): Promise<Context> {
  const base = { db: deps.db, projectId: req.headers.get(PROJECT_HEADER) };
  try {
    const token = bearerToken(req.headers);
    if (token) return { ...base, principal: await verifyApiKey(deps.db, token) };
  } catch (error) {
    if (error instanceof DomainError) return { ...base, principal: null, authError: error };
    throw error;
  }
  return { ...base, principal: await deps.session() };
}

/**
 * For the few routes outside tRPC (uploads, streams): the same principal
 * resolution and scope check the procedures get, in one call: the same `Caller`.
 */
export async function authorizeRequest(req: Request, deps: RequestDeps, scope: Scope): Promise<Caller> {
  const ctx = await createRequestContext(req, deps);
  if (ctx.authError) throw ctx.authError;
  if (!ctx.principal) throw new DomainError("UNAUTHENTICATED", "Sign in or send 'Authorization: Bearer <api key>'");
  const caller: Caller = {
    ...(await resolveProjectAccess(deps.db, ctx.principal, ctx.projectId)),
    actor: actorOf(ctx.principal),
  };
  requireScope(caller, scope);
  return caller;
}
