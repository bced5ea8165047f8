import { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
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

/** What one request hands the shared handler: its deps (per request, so tests can bring their own database). */
const DEPS = Symbol("switchyard.restDeps");
type RestRequest = Request & { [DEPS]: RequestDeps; query?: unknown };

/**
 * trpc-to-openapi's handler, built once. Its fetch adapter builds a new one per request, and outside production
 * each build regenerates the whole OpenAPI document to validate the router (~30-100 ms of CPU per request).
 */
let openApiHandler: ((req: RestRequest, res: ResponseSink) => Promise<void>) | undefined;
function handler() {
  openApiHandler ??= createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext: ({ req }: { req: RestRequest }) => createRequestContext(req, req[DEPS]),
    onError: ({ error }: { error: TRPCError }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error("[rest]", error);
    },
    // Any procedure whose result carries an `etag` gets an ETag header…
    responseMeta: ({ data, errors }: { data: unknown[]; errors: unknown[] }) => {
      const etag = errors.length === 0 ? (data[0] as { etag?: unknown } | undefined)?.etag : undefined;
      return typeof etag === "string" ? { headers: { etag, "cache-control": "private, no-cache" } } : {};
    },
  } as never) as unknown as typeof openApiHandler;
  return openApiHandler!;
}

/** The part of a node `ServerResponse` the handler writes to, collected into a Fetch `Response`. */
class ResponseSink {
  statusCode = 200;
  readonly headers = new Headers();
  constructor(private readonly done: (response: Response) => void) {}
  setHeader(name: string, value: string | string[]) {
    for (const v of Array.isArray(value) ? value : [value]) this.headers.append(name, v);
  }
  end(body?: string) {
    this.done(new Response(body, { status: this.statusCode, headers: this.headers }));
  }
}

/**
 * The request as the handler reads it: the JSON body parsed up front (a parse failure surfaces when the handler
 * asks for the body, as PARSE_ERROR), the path relative to `/api/rest`, and the deps for the context.
 */
async function restRequest(req: Request, deps: RequestDeps): Promise<RestRequest> {
  const text = req.body ? await req.text() : "";
  let body: { ok: true; value: unknown } | { ok: false; cause: unknown } = { ok: true, value: undefined };
  if (req.headers.get("content-type")?.includes("application/json")) {
    try {
      body = { ok: true, value: JSON.parse(text) };
    } catch (cause) {
      body = { ok: false, cause };
    }
  }
  const url = req.url.replace("/api/rest", "");
  return new Proxy(req, {
    get(target, prop) {
      if (prop === DEPS) return deps;
      if (prop === "url") return url;
      if (prop === "body") {
        if (!body.ok)
          throw new TRPCError({ code: "PARSE_ERROR", message: "Failed to parse request body", cause: body.cause });
        return body.value;
      }
      return Reflect.get(target, prop, target);
    },
  }) as RestRequest;
}

/**
 * Serves `/api/rest/*` from the tRPC procedures, and rewrites error bodies to
 * one plain shape: `{ error: { message, code, status, issues: [{ path, message }] } }`.
 */
export async function handleRest(original: Request, deps: RequestDeps): Promise<Response> {
  let req: RestRequest;
  try {
    req = await restRequest(await limitBody(original), deps);
  } catch (error) {
    return errorResponse(error);
  }
  const response = await new Promise<Response>((resolve, reject) => {
    handler()(req, new ResponseSink(resolve)).catch(reject);
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
