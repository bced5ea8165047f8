/** POST /v1/chat/completions and /v1/completions: JSON or Server-Sent Events, as the OpenAI SDK expects. */
import { DomainError } from "@/server/errors";
import { isProviderAbort } from "@/server/modules/providers/errors";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { emptyMessages, takesMessagesFromPrompt } from "./engine-input";
import { toGatewayFailure } from "./errors";
import { costOf, type DoneEvent, generate, measuresTtft, openAIFinishReason } from "./generation";
import { type GatewayHttpRequest, linkedAbort, readBodyText } from "./http-request";
import { jsonResponse } from "./json-response";
import { cacheTtlMs, outputActions, pipelineFor, startGeneration, withGuardrailsHeader } from "./pipeline-hooks";
import { prepare, type Started } from "./prepare";
import { CLIENT_CLOSED, type GatewayRequest, type Outcome } from "./request-scope";
import { CACHE_HEADER, type ResponseCache } from "./response-cache";
import type { RouteSource } from "./route-config/source";
import type { DeploymentHealth } from "./routing/health";
import { routeRequest } from "./routing/route-request";
import { describeFailedAttempts } from "./routing/run";
import { guardEvents } from "./routing/stream";
import { type ChatCompletionBody, chatCompletionBody, completionBody } from "./schemas";
import { type ResolveDeps, resolveTarget, type ServeTarget } from "./target";
import {
  type ChunkKind,
  chatCompletion,
  chunk,
  type ResponseMeta,
  SSE_DONE,
  sseData,
  switchyardHeaders,
  textCompletion,
  usageOf,
} from "./wire";

export interface CompletionDeps extends ResolveDeps {
  maxBodyBytes: number;
  responseCache?: ResponseCache;
  routes?: RouteSource;
  /** Per-deployment load, latency and cooldowns for routing; default the process's. */
  routeHealth?: DeploymentHealth;
}

/** Reads the body within the size limit; malformed JSON or a non-object is a 400. */
export async function readJsonObject(req: GatewayHttpRequest, maxBytes: number): Promise<Record<string, unknown>> {
  const text = await readBodyText(req, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DomainError("BAD_REQUEST", "The request body is not valid JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new DomainError("BAD_REQUEST", "The request body must be a JSON object");
  return body as Record<string, unknown>;
}

export async function serveCompletion(
  kind: ChunkKind,
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
): Promise<Response> {
  const raw = await readJsonObject(req, deps.maxBodyBytes);
  // Known before validation, so even a refused request is logged with what it asked for.
  scope.entry.requestedModel = typeof raw.model === "string" ? raw.model : null;
  scope.entry.stream = raw.stream === true;
  const body = kind === "chat" ? chatCompletionBody.parse(raw) : completionBody.parse(raw);
  scope.entry.userId = body.user || null;
  scope.keepRequestBody(raw);
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
  const begin = async (ref: string | null, signal: AbortSignal): Promise<Started> => {
    const target = await resolveTarget(deps, {
      projectId: request.projectId,
      requestId: request.requestId,
      model: ref ?? body.model,
      variables: request.variables,
      user: request.user,
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
    const prepared = prepare(kind, deps, scope, req, body, target, pipeline);
    const cached = prepared.cacheKey ? deps.responseCache?.get(prepared.cacheKey) : undefined;
    if (cached) return { prepared, cached };
    const { input, params } = prepared;
    const events = startGeneration(
      pipeline,
      (s) => generate(target.version, input, params, s, body.stream === true),
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
  let abort: AbortController;
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
    const routed = await routeRequest(route, deps, scope, req.signal, body.model, begin, !body.stream);
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
    const onAbort = () => abort.abort();
    req.signal.addEventListener("abort", onAbort, { once: true });
    cleanup = () => req.signal.removeEventListener("abort", onAbort);
    if (req.signal.aborted) abort.abort();
  }
  const { target, info, meta, cacheKey } = started.prepared;
  const headers = withGuardrailsHeader(switchyardHeaders(info), scope);
  if (started.cached) {
    cleanup();
    const { cached } = started;
    scope.entry.cacheHit = true;
    scope.entry.guardrails.push(...(cached.guardrails ?? []));
    scope.finish({
      status: 200,
      deployment: "cache",
      errorMessage: routing?.note,
      tokensIn: cached.tokensIn,
      tokensOut: cached.tokensOut,
      costUsd: 0,
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

interface Generation {
  target: ServeTarget;
  events: AsyncGenerator<EngineEvent>;
  abort: AbortController;
  first: IteratorResult<EngineEvent>;
  scope: GatewayRequest;
  cleanup: () => void;
  /** Where to keep a successful non-streamed answer, when the request may be cached. */
  cacheKey?: string | null;
  cache?: ResponseCache;
  /** The route's `cache.ttlSeconds`, when it sets one. */
  cacheTtlMs?: number;
  /** Routed requests: the deployment that served (logged as `deployment`) and the failed attempts before it. */
  routing?: { deployment: string; note: string | null };
  /** False when the first text event is a whole upstream answer: the row's TTFT then stays null. */
  measuresTtft: boolean;
}

/**
 * The log row's outcome: `base` plus what the engine reported (tokens, cost, the device) and the routing. Built
 * field by field: on Node 20 properties added after an object spread take a slow path (~0.5 µs each).
 */
function outcomeOf(g: Generation, done: DoneEvent | null, base: Outcome): Outcome {
  if (g.routing) {
    base.deployment = g.routing.deployment;
    base.errorMessage = g.routing.note ?? base.errorMessage;
  }
  if (done) {
    base.deployment ??= done.device;
    base.tokensIn = done.tokensIn;
    base.tokensOut = done.tokensOut;
    base.costUsd = costOf(g.target.version, done);
  }
  return base;
}

/** A 499 outcome (the client went away), as a fresh object to fill. */
const clientClosed = (): Outcome => ({
  status: CLIENT_CLOSED.status,
  errorCode: CLIENT_CLOSED.errorCode,
  errorMessage: CLIENT_CLOSED.errorMessage,
});

/** Lets the engine wind down after the client left (the queue slot frees at once), then logs what it cost. */
async function drainAfterClose(g: Generation, pending: IteratorResult<EngineEvent> | null) {
  let done: DoneEvent | null = pending && !pending.done && pending.value.type === "done" ? pending.value : null;
  g.abort.abort();
  try {
    for (;;) {
      const next = await g.events.next();
      if (next.done) break;
      if (next.value.type === "done") done = next.value;
    }
  } catch {
    // An aborted upstream rejects: nothing more to learn.
  }
  g.cleanup();
  g.scope.finish(outcomeOf(g, done, clientClosed()));
}

function closedEarly(g: Generation): Response {
  void drainAfterClose(g, g.first);
  return new Response(null, { status: 499 });
}

async function collect(kind: ChunkKind, g: Generation, meta: ResponseMeta, headers: Record<string, string>) {
  let text = "";
  let done: DoneEvent | null = null;
  const take = (event: EngineEvent) => {
    if (event.type === "done") done = event;
    else if (event.text) {
      if (g.measuresTtft) g.scope.firstToken();
      text += event.text;
    }
  };
  try {
    if (!g.first.done) take(g.first.value);
    for await (const event of g.events) take(event);
  } finally {
    g.cleanup();
  }
  const final = done as DoneEvent | null;
  if (g.abort.signal.aborted || final?.finishReason === "abort") {
    g.scope.finish(outcomeOf(g, final, clientClosed()));
    return new Response(null, { status: 499 });
  }
  if (!final) throw new Error("the generation ended without its final event");
  const finishReason = openAIFinishReason(final.finishReason);
  const usage = usageOf(final.tokensIn, final.tokensOut);
  const payload =
    kind === "chat" ? chatCompletion(meta, text, finishReason, usage) : textCompletion(meta, text, finishReason, usage);
  g.scope.finish(outcomeOf(g, final, { status: 200, responseBody: { text, finishReason } }));
  if (g.cacheKey && g.cache && finishReason !== "length")
    g.cache.set(
      g.cacheKey,
      {
        payload: payload as unknown as Record<string, unknown>,
        tokensIn: final.tokensIn,
        tokensOut: final.tokensOut,
        guardrails: outputActions(g.scope),
      },
      g.cacheTtlMs,
    );
  const sent = withGuardrailsHeader(headers, g.scope); // now with the output guardrails' actions too
  if (g.cacheKey) sent[CACHE_HEADER] = "miss";
  return jsonResponse(payload, { headers: sent });
}

function stream(
  kind: ChunkKind,
  g: Generation,
  meta: ResponseMeta,
  headers: Record<string, string>,
  includeUsage: boolean,
): Response {
  let pending: IteratorResult<EngineEvent> | null = g.first;
  let started = false;
  let closed = false;
  let cancelled = false;
  let pulling = false;
  let text = "";

  const encode = (part: { text?: string; finishReason?: string; usage?: ReturnType<typeof usageOf> }) => {
    // The first chunk opens the assistant turn and says what served it.
    const opening = !started;
    started = true;
    return sseData(
      chunk(
        kind,
        meta,
        { ...part, role: opening, withUsage: includeUsage },
        opening ? { switchyard: meta.switchyard } : {},
      ),
    );
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const emit = (bytes: Uint8Array) => {
        if (!closed) controller.enqueue(bytes);
      };
      const end = () => {
        g.cleanup();
        // Run the generator's cleanup now: the engine holds the model's queue slot until it finishes.
        void g.events.return(undefined).catch(() => {});
        if (closed) return;
        closed = true;
        controller.close();
      };
      // Loop until something was sent: a pull that enqueues nothing is not called again.
      for (let sent = false; !sent && !closed; ) {
        let next: IteratorResult<EngineEvent>;
        pulling = true;
        try {
          next = pending ?? (await g.events.next());
          pending = null;
        } catch (error) {
          pulling = false;
          if (cancelled || g.abort.signal.aborted || isProviderAbort(error)) {
            g.scope.finish(CLIENT_CLOSED);
            return end();
          }
          const failure = toGatewayFailure(error, g.scope.id);
          emit(sseData(failure.body));
          g.scope.finish({ status: failure.status, errorCode: failure.code, errorMessage: failure.message });
          return end();
        }
        pulling = false;
        if (cancelled) return void drainAfterClose(g, next);
        if (next.done) {
          const failure = toGatewayFailure(new Error("the generation ended without its final event"), g.scope.id);
          emit(sseData(failure.body));
          g.scope.finish({ status: failure.status, errorCode: failure.code, errorMessage: failure.message });
          return end();
        }
        const event = next.value;
        if (event.type === "text") {
          if (!started) {
            emit(encode({ text: "" }));
            sent = true;
          }
          if (event.text) {
            g.scope.firstToken();
            text += event.text;
            emit(encode({ text: event.text }));
            sent = true;
          }
          continue;
        }
        if (g.abort.signal.aborted || event.finishReason === "abort") {
          g.scope.finish(outcomeOf(g, event, clientClosed()));
          return end();
        }
        if (!started) emit(encode({ text: "" }));
        const finishReason = openAIFinishReason(event.finishReason);
        emit(encode({ finishReason }));
        if (includeUsage) emit(encode({ usage: usageOf(event.tokensIn, event.tokensOut) }));
        emit(SSE_DONE);
        g.scope.finish(outcomeOf(g, event, { status: 200, responseBody: { text, finishReason } }));
        return end();
      }
    },
    cancel() {
      cancelled = true;
      closed = true;
      g.abort.abort();
      // A pull waiting on the engine drains when it wakes; otherwise drain now.
      if (!pulling) void drainAfterClose(g, pending);
    },
  });
  return new Response(body, {
    headers: {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    },
  });
}
