/** POST /v1/chat/completions and /v1/completions: JSON or Server-Sent Events, as the OpenAI SDK expects. */
import { DomainError } from "@/server/errors";
import { isProviderAbort } from "@/server/modules/providers/errors";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { chatInput, emptyMessages, takesMessagesFromPrompt, textInput } from "./engine-input";
import { toGatewayFailure } from "./errors";
import { callerParams, costOf, type DoneEvent, effectiveParams, generate, openAIFinishReason } from "./generation";
import { type GatewayHttpRequest, readBodyText } from "./http-request";
import { jsonResponse } from "./json-response";
import {
  applyInputSteps,
  cachePolicy,
  cacheTtlMs,
  outputActions,
  pipelineFor,
  startGeneration,
  withGuardrailsHeader,
} from "./pipeline-hooks";
import { CLIENT_CLOSED, type GatewayRequest } from "./request-scope";
import { CACHE_HEADER, type ResponseCache } from "./response-cache";
import type { RouteSource } from "./route-config/source";
import { type ChatCompletionBody, type CompletionBody, chatCompletionBody, completionBody } from "./schemas";
import { type ResolveDeps, resolveTarget, type ServeTarget } from "./target";
import {
  type ChunkKind,
  chatCompletion,
  chunk,
  type ResponseMeta,
  SSE_DONE,
  type SwitchyardInfo,
  sseData,
  switchyardHeaders,
  textCompletion,
  usageOf,
} from "./wire";

export interface CompletionDeps extends ResolveDeps {
  maxBodyBytes: number;
  responseCache?: ResponseCache;
  routes?: RouteSource;
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
  const target = await resolveTarget(deps, {
    projectId: scope.entry.projectId,
    requestId: scope.id,
    model: body.model,
    variables: body.variables ?? {},
    user: body.user || null,
  });
  Object.assign(scope.entry, {
    modelId: target.version.model.id,
    modelVersionId: target.version.id,
    promptVersionId: target.prompt?.id ?? null,
    experimentId: target.experiment?.id ?? null,
    variantId: target.variant?.id ?? null,
  });
  const info: SwitchyardInfo = {
    model: target.version.model.name,
    modelVersion: `${target.version.model.name}@${target.version.version}`,
    promptVersion: target.prompt ? `${target.prompt.name}@${target.prompt.version}` : null,
    experiment: target.experiment?.name ?? null,
    variant: target.variant?.key ?? null,
    requestId: scope.id,
  };
  const meta: ResponseMeta = {
    id: `${kind === "chat" ? "chatcmpl" : "cmpl"}-${scope.id}`,
    created: scope.created,
    model: info.modelVersion,
    switchyard: info,
  };
  // Normalize, ground and guard (a block throws the 400) before the cache key and the engine see the input.
  const input = applyInputSteps(
    pipeline,
    kind === "chat" ? chatInput(body as ChatCompletionBody, target) : textInput(body as CompletionBody, target),
    scope,
  );
  const params = effectiveParams(target, callerParams(body));

  const cacheKey =
    deps.responseCache?.keyFor(
      { kind, stream: body.stream === true, header: req.headers.get(CACHE_HEADER) },
      { modelVersionId: target.version.id, promptVersionId: target.prompt?.id ?? null },
      input,
      params,
      cachePolicy(pipeline),
    ) ?? null;
  const cached = cacheKey ? deps.responseCache?.get(cacheKey) : undefined;
  if (cached) {
    scope.entry.cacheHit = true;
    scope.entry.guardrails.push(...(cached.guardrails ?? []));
    scope.finish({
      status: 200,
      deployment: "cache",
      tokensIn: cached.tokensIn,
      tokensOut: cached.tokensOut,
      costUsd: 0,
    });
    return jsonResponse(
      { ...cached.payload, id: meta.id, created: meta.created, switchyard: { ...info, cache: "hit" } },
      { headers: withGuardrailsHeader({ ...switchyardHeaders(info), [CACHE_HEADER]: "hit" }, scope) },
    );
  }

  const abort = new AbortController();
  const onAbort = () => abort.abort();
  req.signal.addEventListener("abort", onAbort, { once: true });
  const cleanup = () => req.signal.removeEventListener("abort", onAbort);
  const events = startGeneration(pipeline, (signal) => generate(target.version, input, params, signal), abort.signal, {
    version: target.version,
    input,
    scope,
  });
  // Errors (BUSY, upstream refusals, timeouts) surface on the first event: before any header is sent.
  let first: IteratorResult<EngineEvent>;
  try {
    first = await events.next();
  } catch (error) {
    cleanup();
    throw error;
  }
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
  };
  const headers = withGuardrailsHeader(switchyardHeaders(info), scope);
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
}

const usageFields = (g: Generation, done: DoneEvent | null) =>
  done
    ? {
        deployment: done.device,
        tokensIn: done.tokensIn,
        tokensOut: done.tokensOut,
        costUsd: costOf(g.target.version, done),
      }
    : {};

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
  g.scope.finish({ ...CLIENT_CLOSED, ...usageFields(g, done) });
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
      g.scope.firstToken();
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
    g.scope.finish({ ...CLIENT_CLOSED, ...usageFields(g, final) });
    return new Response(null, { status: 499 });
  }
  if (!final) throw new Error("the generation ended without its final event");
  const finishReason = openAIFinishReason(final.finishReason);
  const usage = usageOf(final.tokensIn, final.tokensOut);
  const payload =
    kind === "chat" ? chatCompletion(meta, text, finishReason, usage) : textCompletion(meta, text, finishReason, usage);
  g.scope.finish({ status: 200, ...usageFields(g, final), responseBody: { text, finishReason } });
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
  return jsonResponse(payload, { headers: g.cacheKey ? { ...sent, [CACHE_HEADER]: "miss" } : sent });
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
          g.scope.finish({ ...CLIENT_CLOSED, ...usageFields(g, event) });
          return end();
        }
        if (!started) emit(encode({ text: "" }));
        const finishReason = openAIFinishReason(event.finishReason);
        emit(encode({ finishReason }));
        if (includeUsage) emit(encode({ usage: usageOf(event.tokensIn, event.tokensOut) }));
        emit(SSE_DONE);
        g.scope.finish({ status: 200, ...usageFields(g, event), responseBody: { text, finishReason } });
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
