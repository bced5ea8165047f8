import type { Caller } from "@/server/auth/caller";
import type { Actor } from "@/server/auth/principal";
import type { Db } from "@/server/db";

/**
 * The first argument of every domain service, `(deps, input)`: the database
 * and the one caller. A tRPC procedure passes its `ctx`, which has both;
 * services that need more (a blob store, a cache, a pool) extend this.
 */
export interface ServiceDeps {
  db: Db;
  caller: Caller;
}

/** Deps of the few services outside any one project (a signed-in user's organisations and projects). */
export interface UserDeps {
  db: Db;
  actor: Actor;
}

/** Deps of reads that need only the caller's project (the gateway calls them with its key's project). */
export interface ProjectDeps {
  db: Db;
  caller: Pick<Caller, "projectId">;
}
