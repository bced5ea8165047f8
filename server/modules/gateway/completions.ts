/** POST /v1/chat/completions and /v1/completions: JSON or Server-Sent Events, as the OpenAI SDK expects. */
import { type AbortHandle, type AbortLike, follow } from "@/server/abort";
import { closedEarly, collect, type Generation, stream } from "./answer";
import type { CompletionDeps } from "./completion-deps";
import { emptyMessages, takesMessagesFromPrompt } from "./engine-input";
import { generate, measuresTtft } from "./generation";
import { clientSignal, type GatewayHttpRequest, linkedAbort } from "./http-request";
import { jsonResponse } from "./json-response";
import { modalitiesOf, TEXT_ONLY } from "./modalities";
import { cacheTtlMs, pipelineFor, startGeneration, withGuardrailsHeader } from "./pipeline-hooks";
import { prepare, type Started } from "./prepare";
import type { GatewayRequest } from "./request-scope";
import { CACHE_HEADER } from "./response-cache";
import { routeRequest } from "./routing/route-request";
import { describeFailedAttempts } from "./routing/run";
import { guardEvents } from "./routing/stream";
import { type ChatCompletionBody, chatCompletionBody, completionBody } from "./schemas";
import { resolveTarget } from "./target";
import { toolCallsOfAnswer } from "./tool-calls";
import { estimateCompletion, NO_USAGE } from "./usage-estimate";
import { type ChunkKind, switchyardHeaders } from "./wire";

export async function serveCompletion(
  kind: ChunkKind,
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  /** A body already read and translated into Chat Completions (`/v1/messages`, `/v1/responses`); default: read `req`'s. */
  translated?: Record<string, unknown>,
): Promise<Response> {
  const raw = translated ?? (await scope.readBody(req, deps.maxBodyBytes));
  scope.entry.stream = raw.stream === true;
  const body = kind === "chat" ? chatCompletionBody.parse(raw) : completionBody.parse(raw);
  scope.entry.userId = body.user || null;
  scope.keepRequestBody(raw);
  scope.entry.modalities = kind === "chat" ? modalitiesOf(raw) : TEXT_ONLY;
  if (kind === "chat" && (body as ChatCompletionBody).messages.length === 0 && !takesMessagesFromPrompt(body.model))
    throw emptyMessages();

  // The route (its own or the project's `*`) decides deployments, retries and the pipeline.
  const route = (await deps.routes?.find(scope.entry.projectId, body.model)) ?? null;
  const pipeline = pipelineFor(route);
  // Each attempt re-runs the input steps: their guardrail actions are logged once, for the attempt that served.
  const guardrailsBefore = scope.entry.guardrails.length;
  const request = {
    projectId: scope.entry.projectId,
    requestId: scope.id,
    model: body.model,
    variables: body.variables ?? {},
    user: body.user || null,
  };
  // Resolve what serves, answer from the cache or start generating and wait for the first event:
  // errors (BUSY, upstream refusals, timeouts) surface there, before any header is sent, so a route may retry.
  const begin = async (ref: string | null, signal: AbortLike): Promise<Started> => {
    const target = await resolveTarget(deps, {
      projectId: request.projectId,
      requestId: request.requestId,
      model: ref ?? body.model,
      variables: request.variables,
      user: request.user,
      session: scope.entry.sessionId,
    });
    // An attempt that timed out while resolving must not touch the row: the next attempt owns it now.
    if (signal.aborted) throw signal.reason;
    scope.entry.guardrails.length = guardrailsBefore;
    // Logged even when this attempt fails: the row names what was tried last.
    Object.assign(scope.entry, {
      modelId: target.version.model.id,
      modelVersionId: target.version.id,
      promptVersionId: target.prompt?.id ?? null,
      experimentId: target.experiment?.id ?? null,
      variantId: target.variant?.id ?? null,
    });
    // Normalize, ground and guard (a block throws the 400) before the cache key and the engine see the input.
    const prepared = prepare(kind, deps, scope, req, body, raw, target, pipeline);
    const cached = prepared.cacheKey ? deps.responseCache?.get(prepared.cacheKey) : undefined;
    const { input, params, upstreamBody, local } = prepared;
    // A limited key reserves what this request may use (once: a retry or failover keeps the first reservation).
    if (scope.keyLimits)
      await scope.keyLimits.reserve(cached ? NO_USAGE : estimateCompletion(target.version, input, params));
    if (cached) return { prepared, cached };
    const events = startGeneration(
      pipeline,
      (s) => generate(target.version, input, params, s, body.stream === true, upstreamBody, scope.requester, local),
      signal,
      {
        version: target.version,
        input,
        scope,
      },
    );
    return { prepared, events, first: await events.next() };
  };

  let started: Started;
  let abort: AbortHandle;
  let routing: Generation["routing"];
  // Unlinks `abort` from the client's going away once the answer is complete.
  let cleanup: () => void;
  if (!route) {
    ({ controller: abort, release: cleanup } = linkedAbort(req));
    try {
      started = await begin(null, abort.signal);
    } catch (error) {
      cleanup();
      throw error;
    }
  } else {
    const gone = clientSignal(req);
    const routed = await routeRequest(route, deps, scope, gone, body.model, begin, !body.stream);
    ({ value: started } = routed);
    abort = routed.controller;
    routing = { deployment: routed.deployment, note: describeFailedAttempts(routed.failed) };
    scope.entry.deployment = routed.deployment; // also on rows that end in an error mid-stream
    Object.assign(started.prepared.info, { deployment: routed.deployment, attempts: routed.failed.length + 1 });
    if (started.events) {
      started.events = guardEvents(
        started.events,
        route.config.timeoutMs,
        routed.attempt,
        routed.deployment,
        routed.release,
        started.first,
      );
      started.first = await started.events.next();
    } else routed.release();
    cleanup = follow(gone, abort);
  }
  const { target, info, meta, cacheKey } = started.prepared;
  const headers = withGuardrailsHeader(switchyardHeaders(info), scope);
  if (started.cached) {
    cleanup();
    const { cached } = started;
    scope.entry.cacheHit = true;
    scope.entry.guardrails.push(...(cached.guardrails ?? []));
    // The row says what the cached answer was, as the original's did: its finish reason and the tools it called.
    const choice = (cached.payload.choices as { finish_reason?: unknown }[] | undefined)?.[0];
    scope.finish({
      status: 200,
      deployment: "cache",
      errorMessage: routing?.note,
      tokensIn: cached.tokensIn,
      tokensOut: cached.tokensOut,
      costUsd: 0,
      finishReason: typeof choice?.finish_reason === "string" ? choice.finish_reason : undefined,
      toolNames: toolCallsOfAnswer(cached.payload)?.names,
    });
    headers[CACHE_HEADER] = "hit";
    return jsonResponse(
      Object.assign({}, cached.payload, {
        id: meta.id,
        created: meta.created,
        switchyard: Object.assign({}, info, { cache: "hit" }),
      }),
      { headers: withGuardrailsHeader(headers, scope) },
    );
  }

  const { events, first } = started as Required<Started>;
  const generation: Generation = {
    target,
    events,
    abort,
    first,
    scope,
    cleanup,
    cacheKey,
    cache: deps.responseCache,
    cacheTtlMs: cacheTtlMs(pipeline),
    routing,
    measuresTtft: measuresTtft(target.version, body.stream === true),
  };
  if (abort.signal.aborted) return closedEarly(generation);
  if (!body.stream) return collect(kind, generation, meta, headers);
  return stream(kind, generation, meta, headers, body.stream_options?.include_usage === true);
}
