/**
 * tRPC setup in three parts: 1) the context, 2) the instance with one error
 * formatter, 3) the procedure builders. Every procedure is built from one of
 * the builders below, and access is decided here from its meta, never by hand:
 * - `publicProcedure`: open on purpose (meta `access: "public"`).
 * - `userProcedure`: a signed-in user, outside any one project.
 * - `projectProcedure`: a user or API key in a project, holding `meta.scope`.
 *   A project procedure without a declared scope refuses everyone. It puts
 *   the one `Caller` (project, actor, role, scopes) in `ctx.caller`, so a
 *   procedure is `service(ctx, input)`: `ctx` is the service's deps.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Scope } from "@/lib/scopes";
import { resolveProjectAccess } from "@/server/auth/access";
import { type Caller, requireScope } from "@/server/auth/caller";
import { actorOf, type Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError, ERROR_CODES, toDomainError } from "@/server/errors";
import { refuseUnstorableText } from "@/server/http/storable-text";

// 1. Context ---------------------------------------------------------------
export interface Context {
  db: Db;
  principal: Principal | null;
  /** The project the console asks for (x-switchyard-project header). */
  projectId: string | null;
  /** Set when authentication itself failed (bad or revoked key), to report it. */
  authError?: DomainError;
}

// 2. Instance --------------------------------------------------------------
export type Meta = OpenApiMeta<{ access?: "public" | "user"; scope?: Scope }>;

/** tRPC's message when a procedure's result fails its `.output()` schema. */
const OUTPUT_BUG = "Output validation failed";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const domain = error.message === OUTPUT_BUG ? undefined : toDomainError(error.cause ?? error);
      return {
        ...shape,
        // Unexplained failures keep their details in the server log, not the response.
        message:
          domain?.message ?? (shape.data.code === "INTERNAL_SERVER_ERROR" ? "Internal server error" : shape.message),
        data: { ...shape.data, domainCode: domain?.code ?? null, issues: domain?.issues ?? [] },
      };
    },
  });

/** Turns DomainErrors (and zod errors from services) into TRPCErrors with the mapped code: one place. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const domain = toDomainError(result.error.cause ?? result.error);
    // An output that fails its schema is our bug, not the caller's: it stays a 500.
    const outputBug = result.error.message === OUTPUT_BUG;
    if (domain && !outputBug && result.error.code === "INTERNAL_SERVER_ERROR") {
      throw new TRPCError({ code: ERROR_CODES[domain.code].trpc, message: domain.message, cause: domain });
    }
  }
  return result;
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every input, tRPC or REST (query, path and body alike), before any procedure sees it: a NUL or a lone
 * surrogate anywhere is a 400 naming the field, since PostgreSQL would refuse it with a 500 at the first write.
 */
const refuseUnstorableInput = t.middleware(async ({ getRawInput, next }) => {
  refuseUnstorableText(await getRawInput());
  return next();
});

// 3. Procedures ------------------------------------------------------------
const base = t.procedure.use(mapErrors).use(refuseUnstorableInput);

function requirePrincipal(ctx: Context): Principal {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.principal) throw new DomainError("UNAUTHENTICATED", "Sign in or send 'Authorization: Bearer <api key>'");
  return ctx.principal;
}

/** Open to anyone on purpose. Use only for health and sign-in helpers. */
export const publicProcedure = base.meta({ access: "public" });

/** A signed-in user acting outside a single project (their projects, organisations). */
export const userProcedure = base.meta({ access: "user" }).use(({ ctx, next }) => {
  const principal = requirePrincipal(ctx);
  if (principal.kind !== "user")
    throw new DomainError("FORBIDDEN", "This action needs a signed-in user, not an API key");
  return next({ ctx: { ...ctx, user: principal, actor: actorOf(principal) } });
});

/** Anything inside a project. Declare `.meta({ scope })`; the caller must hold it. Services get `ctx` as their deps. */
export const projectProcedure = base.use(async ({ ctx, meta, next }) => {
  const principal = requirePrincipal(ctx);
  const scope = meta?.scope;
  if (!scope) throw new DomainError("INTERNAL", "This procedure declares no scope, so it is closed to everyone");
  const caller: Caller = {
    ...(await resolveProjectAccess(ctx.db, principal, ctx.projectId)),
    actor: actorOf(principal),
  };
  requireScope(caller, scope);
  return next({ ctx: { ...ctx, principal, caller } });
});
