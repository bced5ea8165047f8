/**
 * Where completions.ts meets a route's pipeline (`pipeline/`): the input steps
 * at input construction, the cache policy, the output steps around the
 * engine's events, and the guardrails header. Every function takes the
 * per-request pipeline or null; null (no route, or a route whose pipeline
 * asks for nothing) returns its argument untouched, so the plain path does no
 * extra work.
 */
import type { AbortLike } from "@/server/abort";
import { PiiPlaceholders } from "@/server/modules/guardrails/pii-placeholders";
import { countExampleTokens, roughTokenCount } from "@/server/modules/guardrails/tokens";
import type { ResolvedRoute } from "@/server/modules/routes/source";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import {
  type CompiledPipeline,
  compilePipeline,
  GUARDRAILS_HEADER,
  guardEvents,
  guardrailBlocked,
  guardrailsHeader,
  OutputProcessor,
  recordAction,
  runInput,
  ToolCallGuard,
} from "./pipeline";
import type { GatewayRequest } from "./request-scope";
import type { CacheRoutePolicy } from "./response-cache";
import type { ServedVersion } from "./target";

export interface RequestPipeline {
  compiled: CompiledPipeline;
  route: ResolvedRoute;
  /** One numbering per request: the same e-mail is `<EMAIL_1>` in the prompt and in the answer. */
  placeholders: PiiPlaceholders;
}

export function pipelineFor(route: ResolvedRoute | null): RequestPipeline | null {
  const compiled = compilePipeline(route?.config.pipeline);
  return compiled && route ? { compiled, route, placeholders: new PiiPlaceholders() } : null;
}

export { EXTRAS, extrasOf, type WithExtras } from "./pipeline";

/**
 * Normalize, ground and guard the engine input; logs each action; a block throws GUARDRAIL_BLOCKED (400).
 * `raw`: a chat body, whose tool and function definitions count toward the route's token limit.
 */
export function applyInputSteps(
  p: RequestPipeline | null,
  input: GenerationInput,
  scope: GatewayRequest,
  raw?: Record<string, unknown>,
) {
  if (!p?.compiled.input) return input;
  const outcome = runInput(p.compiled.input, input, p.placeholders, raw && definitionsOf(raw));
  for (const action of outcome.actions) recordAction(scope.entry.guardrails, action);
  if (outcome.blocked) throw guardrailBlocked(outcome.blocked);
  return outcome.input;
}

/** The request's tool and function definitions (the legacy `functions` too), or undefined when it has none. */
function definitionsOf(raw: Record<string, unknown>): unknown[] | undefined {
  const { tools, functions } = raw;
  if (!Array.isArray(tools) && !Array.isArray(functions)) return undefined;
  return [...(Array.isArray(tools) ? tools : []), ...(Array.isArray(functions) ? functions : [])];
}

/**
 * The route's cache settings, keyed by the route's version whenever it has a
 * pipeline, `cache` set or not: its output steps shape the cached answer, so
 * an answer cached without them (the model asked directly, an older config)
 * must not serve it.
 */
export function cachePolicy(p: RequestPipeline | null): CacheRoutePolicy | undefined {
  if (!p) return undefined;
  const cache = p.compiled.cache ?? { enabled: true, sampled: false };
  return { ...cache, routeVersion: `${p.route.id}@${p.route.version}` };
}

export const cacheTtlMs = (p: RequestPipeline | null) => p?.compiled.cache?.ttlMs;

/**
 * Starts the generation through the output steps. They get their own abort
 * signal (linked to the request's): stopping a blocked answer must not look
 * like a client that left.
 */
export function startGeneration(
  p: RequestPipeline | null,
  start: (signal: AbortLike) => AsyncGenerator<EngineEvent>,
  signal: AbortLike,
  fallback: { version: ServedVersion; input: GenerationInput; scope: GatewayRequest },
): AsyncGenerator<EngineEvent> {
  const plan = p?.compiled.output;
  if (!plan) return start(signal);
  const own = new AbortController();
  if (signal.aborted) own.abort();
  else signal.addEventListener("abort", () => own.abort(), { once: true });
  const actions = fallback.scope.entry.guardrails;
  const output = new OutputProcessor(plan, p.placeholders, actions);
  return guardEvents(start(own.signal), output, {
    stop: () => own.abort(),
    calls: plan.guards ? new ToolCallGuard(plan.guards, p.placeholders, actions, plan.window) : null,
    // Rough counts, only for an upstream that rejects on abort and so never reports its usage.
    fallbackDone: (generated) => ({
      type: "done",
      device:
        fallback.version.model.provider === "onnx_local"
          ? "cpu"
          : `upstream:${new URL(fallback.version.endpointBaseUrl ?? "http://unknown").host}`,
      ttftMs: null,
      tokensIn:
        "prompt" in fallback.input
          ? roughTokenCount(fallback.input.prompt)
          : countExampleTokens(fallback.input.messages, roughTokenCount),
      tokensOut: roughTokenCount(generated),
      durationMs: 0,
      finishReason: "abort",
    }),
  });
}

/** Adds `x-switchyard-guardrails` when any guardrail acted (for streams: the input's, known before the body). */
export function withGuardrailsHeader(headers: Record<string, string>, scope: GatewayRequest): Record<string, string> {
  const list = scope.entry.guardrails;
  return list.length ? { ...headers, [GUARDRAILS_HEADER]: guardrailsHeader(list) } : headers;
}

/** The output actions to keep with a cached answer (a hit logs them again). */
export const outputActions = (scope: GatewayRequest) => scope.entry.guardrails.filter((a) => a.stage === "output");
