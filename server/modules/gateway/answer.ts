/**
 * From a started generation to the HTTP answer: one JSON completion (`collect`) or Server-Sent Events (`stream`),
 * and in every outcome exactly one log row (tokens, cost, the client that left, the routing note).
 */
import type { AbortHandle } from "@/server/abort";
import { isProviderAbort } from "@/server/modules/providers/errors";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { toGatewayFailure } from "./errors";
import { costOf, type DoneEvent, openAIFinishReason } from "./generation";
import { jsonResponse } from "./json-response";
import { outputActions, withGuardrailsHeader } from "./pipeline-hooks";
import { CLIENT_CLOSED, type GatewayRequest, type Outcome } from "./request-scope";
import { CACHE_HEADER, type ResponseCache } from "./response-cache";
import { shutdownCut } from "./shutdown";
import type { ServeTarget } from "./target";
import { type AnswerToolCalls, StreamedToolCalls, toolCallsOfAnswer } from "./tool-calls";
import {
  type ChunkKind,
  chatCompletion,
  chunk,
  type ResponseMeta,
  SSE_DONE,
  sseData,
  textCompletion,
  upstreamChunk,
  upstreamCompletion,
  usageOf,
} from "./wire";

export interface Generation {
  target: ServeTarget;
  events: AsyncGenerator<EngineEvent>;
  abort: AbortHandle;
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
    // Local models only: an upstream's "device" is its host, which `deployment` already says.
    if (g.target.version.model.provider === "onnx_local") base.device = done.device;
    base.tokensIn = done.tokensIn;
    base.tokensOut = done.tokensOut;
    base.cachedTokens = done.cachedTokens;
    base.cacheWriteTokens = done.cacheWriteTokens;
    base.reasoningTokens = done.reasoningTokens;
    base.costUsd = costOf(g.target.version, done);
  }
  return base;
}

/** A successful answer's outcome: the logged body keeps the text and, when the model called tools, the calls. */
function answered(text: string, finishReason: string, tools: AnswerToolCalls | null): Outcome {
  if (!tools || tools.names.length === 0) return { status: 200, finishReason, responseBody: { text, finishReason } };
  const toolCalls = tools.calls;
  return {
    status: 200,
    finishReason,
    toolNames: tools.names,
    responseBody: toolCalls.length > 0 ? { text, finishReason, toolCalls } : { text, finishReason },
  };
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

export function closedEarly(g: Generation): Response {
  void drainAfterClose(g, g.first);
  return new Response(null, { status: 499 });
}

export async function collect(kind: ChunkKind, g: Generation, meta: ResponseMeta, headers: Record<string, string>) {
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
    // Cut by a shutdown: the handler answers (and logs) the 503 it carries.
    const cut = shutdownCut(g.abort.signal);
    if (cut) throw cut;
    g.scope.finish(outcomeOf(g, final, clientClosed()));
    return new Response(null, { status: 499 });
  }
  if (!final) throw new Error("the generation ended without its final event");
  const finishReason = openAIFinishReason(final.finishReason);
  const usage = usageOf(final.tokensIn, final.tokensOut);
  const payload = final.response
    ? upstreamCompletion(final.response, meta, text, finishReason)
    : kind === "chat"
      ? chatCompletion(meta, text, finishReason, usage)
      : textCompletion(meta, text, finishReason, usage);
  const tools = final.response ? toolCallsOfAnswer(final.response) : null;
  g.scope.finish(outcomeOf(g, final, answered(text, finishReason, tools)));
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

export function stream(
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
  // Pass-through streams: whether the upstream's own chunks already said how the choices finished, and the usage.
  let sentFinish = false;
  let sentUsage = false;
  // Made on the first chunk with tool-call deltas: a text answer never pays for it.
  let toolCalls: StreamedToolCalls | null = null;

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
      /** Cut by a shutdown at the end of its grace period: a final error event, logged as such. */
      const endCut = () => {
        const failure = toGatewayFailure(shutdownCut(g.abort.signal), g.scope.id);
        emit(sseData(failure.body));
        g.scope.finish(
          outcomeOf(g, null, { status: failure.status, errorCode: failure.code, errorMessage: failure.message }),
        );
        return end();
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
          if (!cancelled && shutdownCut(g.abort.signal)) return endCut();
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
        if (event.type === "text" && event.chunk) {
          const c = event.chunk;
          const choices = c.choices as { finish_reason?: unknown }[] | undefined;
          // The usage chunk we asked for and the client did not.
          if (!includeUsage && choices?.length === 0) continue;
          if (event.text || event.toolCall) g.scope.firstToken();
          if (event.toolCall) {
            toolCalls ??= new StreamedToolCalls();
            toolCalls.add(c);
          }
          text += event.text;
          if (choices) for (const choice of choices) if (choice.finish_reason) sentFinish = true;
          if (c.usage) sentUsage = true;
          emit(sseData(upstreamChunk(c, meta, !started)));
          started = true;
          sent = true;
          continue;
        }
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
          if (!cancelled && shutdownCut(g.abort.signal)) return endCut();
          g.scope.finish(outcomeOf(g, event, clientClosed()));
          return end();
        }
        if (!started) emit(encode({ text: "" }));
        const finishReason = openAIFinishReason(event.finishReason);
        if (!sentFinish) emit(encode({ finishReason }));
        if (includeUsage && !sentUsage) emit(encode({ usage: usageOf(event.tokensIn, event.tokensOut) }));
        emit(SSE_DONE);
        g.scope.finish(outcomeOf(g, event, answered(text, finishReason, toolCalls)));
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
