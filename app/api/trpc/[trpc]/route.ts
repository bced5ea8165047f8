import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createRequestContext } from "@/server/auth/request";
import { sessionPrincipal } from "@/server/auth/session";
import { db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { limitBody } from "@/server/http/body-limit";
import { appRouter } from "@/server/trpc/root";

async function handler(original: Request) {
  let req: Request;
  try {
    req = await limitBody(original);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return Response.json(error.toOpenAI(), { status: error.httpStatus });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createRequestContext(req, { db: db(), session: sessionPrincipal }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path}:`, error);
    },
  });
}

export { handler as GET, handler as POST };
