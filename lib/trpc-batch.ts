/**
 * The most procedure calls one tRPC HTTP request may batch. The console's batch link splits larger batches
 * (`maxItems`), and the server refuses anything over it with a 400 naming the limit: unbounded batches let one
 * small request queue unbounded work.
 */
export const MAX_TRPC_BATCH = 20;
