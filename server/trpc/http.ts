import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { MAX_TRPC_BATCH } from "@/lib/trpc-batch";
import { createRequestContext, type RequestDeps } from "@/server/auth/request";
import { DomainError } from "@/server/errors";
import { limitBody } from "@/server/http/body-limit";
import { appRouter } from "@/server/trpc/root";

const ENDPOINT = "/api/trpc";

/** A batch call names its procedures comma-separated in the path (`/api/trpc/a,b,c?batch=1`). */
function batchTooLarge(req: Request): DomainError | null {
  const url = new URL(req.url);
  if (url.searchParams.get("batch") !== "1") return null;
  const calls = url.pathname.slice(ENDPOINT.length + 1).split(",").length;
  if (calls <= MAX_TRPC_BATCH) return null;
  const message = `A batch holds at most ${MAX_TRPC_BATCH} calls; this one has ${calls}`;
  return new DomainError("BAD_REQUEST", message, [{ path: "batch", message }]);
}

/** `/api/trpc`: body limit and batch cap first (before any authentication or parsing), then tRPC. */
export async function handleTrpc(original: Request, deps: RequestDeps): Promise<Response> {
  let req: Request;
  try {
    const refused = batchTooLarge(original);
    if (refused) throw refused;
    req = await limitBody(original);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return Response.json(error.toOpenAI(), { status: error.httpStatus });
  }
  return fetchRequestHandler({
    endpoint: ENDPOINT,
    req,
    router: appRouter,
    // tRPC's own check, behind ours, in case a path reaches it another way.
    maxBatchSize: MAX_TRPC_BATCH,
    createContext: () => createRequestContext(req, deps),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path}:`, error);
    },
  });
}
