import { createOpenApiFetchHandler } from "trpc-to-openapi";
import { createRequestContext, type RequestDeps } from "@/server/auth/request";
import { limitBody } from "@/server/http/body-limit";
import { errorResponse } from "@/server/http/responses";
import { appRouter } from "@/server/trpc/root";

interface TrpcErrorShape {
  message?: string;
  code?: string;
  data?: {
    httpStatus?: number;
    code?: string;
    domainCode?: string | null;
    issues?: { path: string; message: string }[];
  };
}

/**
 * Serves `/api/rest/*` from the tRPC procedures, and rewrites error bodies to
 * one plain shape: `{ error: { message, code, status, issues: [{ path, message }] } }`.
 */
export async function handleRest(original: Request, deps: RequestDeps): Promise<Response> {
  let req: Request;
  try {
    req = await limitBody(original);
  } catch (error) {
    return errorResponse(error);
  }
  const response = await createOpenApiFetchHandler({
    endpoint: "/api/rest",
    router: appRouter,
    req,
    createContext: () => createRequestContext(req, deps),
    onError: ({ error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error("[rest]", error);
    },
    // Any procedure whose result carries an `etag` gets an ETag header…
    responseMeta: ({ data, errors }) => {
      const etag = errors.length === 0 ? (data[0] as { etag?: unknown } | undefined)?.etag : undefined;
      return typeof etag === "string" ? { headers: { etag, "cache-control": "private, no-cache" } } : {};
    },
  });
  // …and answers 304 to a GET that already has it.
  const etag = response.headers.get("etag");
  if (req.method === "GET" && response.ok && etag && req.headers.get("if-none-match") === etag)
    return new Response(null, { status: 304, headers: { etag } });
  if (response.status < 400) return response;
  const body = (await response.json().catch(() => ({}))) as TrpcErrorShape;
  const issues = body.data?.issues ?? [];
  const message =
    body.message === "Input validation failed" && issues[0]
      ? `${issues[0].path}: ${issues[0].message}`
      : (body.message ?? response.statusText);
  const code = body.data?.domainCode ?? body.data?.code ?? body.code ?? "ERROR";
  return Response.json({ error: { message, code, status: response.status, issues } }, { status: response.status });
}
