/**
 * The OpenAI-compatible data plane, written once against the Fetch API:
 * mounted by Next (`app/v1/[...path]/route.ts`) and served by plain
 * `node:http` (`standalone.ts`). See this folder's README for the rules.
 */
import { bearerToken, verifyApiKey } from "@/server/auth/api-key";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { DEFAULT_BODY_LIMIT } from "@/server/http/body-limit";
import type { PromptCache } from "@/server/modules/prompts/cache";
import { type CompiledPrompt, promptCache } from "@/server/modules/prompts/fetch";
import { isProviderAbort } from "@/server/modules/providers/errors";
import type { RequestLogSink } from "@/server/modules/request-log/types";
import { type LiveRollouts, liveRolloutsFor } from "@/server/modules/rollouts/live";
import type { RouteSource } from "@/server/modules/routes/source";
import { projectBodyLogging } from "./body-logging";
import type { CompletionDeps } from "./completion-deps";
import { serveCompletion } from "./completions";
import { serveEmbeddings } from "./embeddings";
import { type GatewayFailure, routeFailure, toGatewayFailure } from "./errors";
import { type GatewayExtension, installedGatewayExtensions } from "./extensions";
import { serveFile, serveFileContent, serveFileDelete, serveFileList, serveFileUpload } from "./files";
import { requesterOf } from "./hops";
import { clientSignal, decodePathId, type GatewayHttpRequest } from "./http-request";
import { jsonResponse } from "./json-response";
import { ApiKeyCache, type KeyCacheOptions, type KeyPrincipal } from "./key-cache";
import { KeyLimitError, KeyLimiter } from "./key-limits";
import { KeyUsageRecorder } from "./key-usage-recorder";
import { anthropicErrorBody, serveMessages } from "./messages";
import { listModels, retrieveModel } from "./models";
import { type GatewayObserver, installedGatewayObservers } from "./observers";
import { GUARDRAILS_HEADER, guardrailsHeader } from "./pipeline/actions";
import { type BodyLogging, CLIENT_CLOSED, GatewayRequest } from "./request-scope";
import { serveRerank } from "./rerank";
import { ResponseCache } from "./response-cache";
import { deleteStoredResponse, listStoredInputItems, retrieveStoredResponse, serveResponses } from "./responses";
import type { DeploymentHealth } from "./routing/health";
import { sessionOf } from "./session-header";
import { shutdownCut } from "./shutdown";
import { NO_USAGE } from "./usage-estimate";

const GATEWAY_SCOPE = "gateway:invoke";

export interface GatewayDeps {
  db: Db;
  /** Receives exactly one entry per request whose project is known. */
  sink: RequestLogSink;
  /** Wall clock for `created` and the log's `startedAt`. */
  now?: () => Date;
  /** Share one cache between handlers, or tune the default one (TTL = the revocation delay). */
  keyCache?: ApiKeyCache;
  keyCacheOptions?: KeyCacheOptions;
  /** Live canary rollouts on labels and aliases; default: the database client's (`liveRolloutsFor`); null: none. */
  rollouts?: LiveRollouts | null;
  /** Fetch-by-label cache; defaults to the process's (LISTEN/NOTIFY-invalidated); null reads the database each time. */
  promptCache?: PromptCache<CompiledPrompt> | null;
  /** Request bodies above this are refused with 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The privacy hook: which bodies a project's log keeps. Default: the project's setting, cached (`body-logging.ts`). */
  bodyLogging?: (projectId: string) => BodyLogging | Promise<BodyLogging>;
  /** Settles key-limit reservations with what requests used. Default: one per handler. */
  keyUsage?: KeyUsageRecorder;
  /** Exact-match response cache; null turns it off. Default: one per handler. */
  responseCache?: ResponseCache | null;
  /** Route configs (deployments, retries, pipeline) by requested model. Default: none. */
  routes?: RouteSource;
  /** Per-deployment load, latency and cooldowns (per process). Default: the process's, which the console shows. */
  routeHealth?: DeploymentHealth;
  /**
   * Who a request acts for. Default: its API key (`Authorization`/`x-api-key`). The batch executor runs lines
   * in-process as the key that created the batch, which it no longer holds in clear.
   */
  authenticate?: (req: GatewayHttpRequest) => Promise<KeyPrincipal>;
  /** Routes other modules serve under /v1 (files, batches). Default: the process's installed ones. */
  extensions?: readonly GatewayExtension[];
  /** Watchers of finished requests (online evaluation). Default: the process's installed ones. */
  observers?: readonly GatewayObserver[];
}

export type GatewayHandler = (req: GatewayHttpRequest) => Promise<Response>;

type Route = (ctx: {
  deps: CompletionDeps;
  principal: KeyPrincipal;
  scope: GatewayRequest;
  req: GatewayHttpRequest;
}) => Promise<Response>;

/** A handler for `/v1/*`; create one per process (it owns the key cache). */
export function createGatewayHandler(deps: GatewayDeps): GatewayHandler {
  const now = deps.now ?? (() => new Date());
  const keys = deps.keyCache ?? new ApiKeyCache((key) => verifyApiKey(deps.db, key), deps.keyCacheOptions);
  const completionDeps: CompletionDeps = {
    db: deps.db,
    promptCache: deps.promptCache === undefined ? promptCache() : (deps.promptCache ?? undefined),
    rollouts: deps.rollouts === undefined ? liveRolloutsFor(deps.db) : (deps.rollouts ?? undefined),
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_BODY_LIMIT,
    responseCache: deps.responseCache === undefined ? new ResponseCache() : (deps.responseCache ?? undefined),
    routes: deps.routes,
    routeHealth: deps.routeHealth,
  };
  const bodyLogging = deps.bodyLogging ?? projectBodyLogging(deps.db);
  const limiter = new KeyLimiter(deps.db, deps.keyUsage ?? new KeyUsageRecorder(deps.db));

  return async function handle(req: GatewayHttpRequest): Promise<Response> {
    const scope = new GatewayRequest(deps.sink, req, now);
    scope.observers = deps.observers ?? installedGatewayObservers();
    const route = match(req.method, scope.entry.path, deps.extensions ?? installedGatewayExtensions());
    if (typeof route === "number")
      return respondWithFailure(
        scope,
        routeFailure(
          route,
          route === 404
            ? `Unknown endpoint ${req.method} ${scope.entry.path}`
            : `${req.method} is not allowed on ${scope.entry.path}`,
        ),
      );
    try {
      const principal = await (deps.authenticate ? deps.authenticate(req) : authenticate(req, keys));
      scope.entry.projectId = principal.projectId;
      scope.entry.apiKeyId = principal.keyId;
      scope.entry.sessionId = sessionOf(req);
      scope.bodyLogging = await bodyLogging(principal.projectId);
      if (!principal.scopes.includes(GATEWAY_SCOPE))
        throw new DomainError("FORBIDDEN", `This API key lacks the '${GATEWAY_SCOPE}' scope`);
      // A request that came back to us (a model pointed at a gateway) is refused here: 508, logged once.
      scope.requester = requesterOf(req, principal.projectId, principal.keyId);
      // Keys without limits skip this entirely: no query, no counting. A limited key's request reserves what it
      // will use once it knows (routes that call a model, after resolving it), else here; and settles when done.
      const limits = limiter.forRequest(principal);
      if (limits) {
        scope.keyLimits = limits;
        scope.afterFinish = (entry) => limits.settle(entry);
        if (!ESTIMATING.has(route)) await limits.reserve(NO_USAGE);
      }
      return await route({ deps: completionDeps, principal, scope, req });
    } catch (error) {
      // Cut by a shutdown (not the client leaving): a 503 that says so.
      const cut = shutdownCut(clientSignal(req));
      if (!cut && (clientSignal(req).aborted || isProviderAbort(error))) {
        scope.finish(CLIENT_CLOSED);
        return new Response(null, { status: CLIENT_CLOSED.status });
      }
      const failure = toGatewayFailure(cut ?? error, scope.id);
      if (error instanceof KeyLimitError) failure.retryAfterSeconds = error.retryAfterSeconds;
      return respondWithFailure(scope, failure);
    }
  };
}

function respondWithFailure(scope: GatewayRequest, failure: GatewayFailure): Response {
  scope.finish({ status: failure.status, errorCode: failure.code, errorMessage: failure.message });
  const headers: Record<string, string> = { "x-request-id": scope.id };
  // A request an input guardrail refused says which one (the log row has the details).
  if (scope.entry.guardrails.length) headers[GUARDRAILS_HEADER] = guardrailsHeader(scope.entry.guardrails);
  // A full engine queue clears in moments; a rate limit at the next window. The SDK honours retry-after.
  if (failure.code === "BUSY") headers["retry-after"] = "1";
  if (failure.retryAfterSeconds) headers["retry-after"] = String(failure.retryAfterSeconds);
  // Anthropic's clients read Anthropic's error shape.
  const body = scope.entry.path.startsWith("/v1/messages") ? anthropicErrorBody(failure) : failure.body;
  return jsonResponse(body, { status: failure.status, headers });
}

async function authenticate(req: GatewayHttpRequest, keys: ApiKeyCache): Promise<KeyPrincipal> {
  // Anthropic's SDK sends `x-api-key`; OpenAI's `Authorization: Bearer`. Either works on every route.
  const token = bearerToken(req.headers) ?? (req.headers.get("x-api-key")?.trim() || undefined);
  if (!token)
    throw new DomainError(
      "UNAUTHENTICATED",
      "Send your API key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
    );
  return keys.resolve(token);
}

const chat: Route = ({ deps, scope, req }) => serveCompletion("chat", deps, scope, req);
const text: Route = ({ deps, scope, req }) => serveCompletion("text", deps, scope, req);
const embeddings: Route = ({ deps, scope, req }) => serveEmbeddings(deps, scope, req);
const messages: Route = ({ deps, scope, req }) => serveMessages(deps, scope, req);
const responses: Route = ({ deps, scope, req }) => serveResponses(deps, scope, req);
/** Routes that reserve their own estimate against a limited key (after resolving the model, before calling it). */
const ESTIMATING = new Set<Route>([chat, text, embeddings, messages, responses]);
const models: Route = async ({ deps, principal, scope }) => {
  const body = await listModels(deps.db, principal.projectId);
  scope.finish({ status: 200 });
  return jsonResponse(body, { headers: { "x-request-id": scope.id } });
};
const model =
  (id: string): Route =>
  async ({ deps, principal, scope }) => {
    scope.entry.requestedModel = id;
    const body = await retrieveModel(deps.db, principal.projectId, id);
    scope.finish({ status: 200 });
    return jsonResponse(body, { headers: { "x-request-id": scope.id } });
  };

/** The route for a method and path, or the status that refuses it. */
function match(method: string, rawPath: string, extensions: readonly GatewayExtension[]): Route | 404 | 405 {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, "") : rawPath;
  const only = (allowed: string, route: Route) => (method === allowed ? route : 405);
  if (path === "/v1/chat/completions") return only("POST", chat);
  if (path === "/v1/completions") return only("POST", text);
  if (path === "/v1/embeddings") return only("POST", embeddings);
  if (path === "/v1/rerank") return only("POST", ({ deps, scope, req }) => serveRerank(deps, scope, req));
  if (path === "/v1/messages") return only("POST", messages);
  if (path === "/v1/responses") return only("POST", responses);
  const stored = /^\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(path);
  if (stored) {
    const id = decodePathId(stored[1]);
    if (id === null) return 404;
    if (stored[2]) return only("GET", ({ deps, scope, req }) => listStoredInputItems(deps, scope, req, id));
    if (method === "DELETE") return ({ deps, scope }) => deleteStoredResponse(deps, scope, id);
    return only("GET", ({ deps, scope, req }) => retrieveStoredResponse(deps, scope, req, id));
  }
  if (path === "/v1/files") {
    if (method === "POST") return ({ deps, scope, req }) => serveFileUpload(deps.db, scope, req);
    return only("GET", ({ deps, scope, req }) => serveFileList(deps.db, scope, req));
  }
  const file = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
  if (file) {
    const id = decodePathId(file[1]);
    if (id === null) return 404;
    if (file[2]) return only("GET", ({ deps, scope }) => serveFileContent(deps.db, scope, id));
    if (method === "DELETE") return ({ deps, scope }) => serveFileDelete(deps.db, scope, id);
    return only("GET", ({ deps, scope }) => serveFile(deps.db, scope, id));
  }
  if (path === "/v1/models") return only("GET", models);
  if (path.startsWith("/v1/models/")) {
    const id = decodePathId(path.slice("/v1/models/".length));
    if (id === null) return 404;
    return only("GET", model(id));
  }
  for (const extension of extensions) {
    const found = extension(method, path);
    if (found === undefined) continue;
    if (typeof found === "number") return found;
    return ({ deps, principal, scope, req }) => found({ db: deps.db, principal, scope, req });
  }
  return 404;
}
