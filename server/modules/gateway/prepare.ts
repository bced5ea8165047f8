/** From a resolved target to what the engine gets: input, effective parameters, the response-cache key and the `switchyard` info. */
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { CompletionDeps } from "./completion-deps";
import { chatInput, textInput } from "./engine-input";
import { callerParams, effectiveParams } from "./generation";
import type { GatewayHttpRequest } from "./http-request";
import { type LocalStructured, localStructured } from "./local-structured";
import {
  CacheFields,
  passesThrough,
  refuseAnthropicOnly,
  refuseBesideOutputGuards,
  refuseUnsupported,
  refuseUntranslatable,
  upstreamBody,
} from "./passthrough";
import { applyInputSteps, cachePolicy, type RequestPipeline } from "./pipeline-hooks";
import type { GatewayRequest } from "./request-scope";
import { CACHE_HEADER, type CachedCompletion } from "./response-cache";
import type { ChatCompletionBody, CompletionBody } from "./schemas";
import type { ServeTarget } from "./target";
import type { ChunkKind, ResponseMeta, SwitchyardInfo } from "./wire";

export interface Prepared {
  target: ServeTarget;
  info: SwitchyardInfo;
  meta: ResponseMeta;
  input: GenerationInput;
  params: GenerationParams;
  cacheKey: string | null;
  /** Chat toward an upstream: the body it gets (`passthrough.ts`; translated on the way to Anthropic). */
  upstreamBody: Record<string, unknown> | null;
  /** Chat toward a local model: its tools, tool turns and constrained output, when it asks for any. */
  local: LocalStructured | null;
}

export interface Started {
  prepared: Prepared;
  cached?: CachedCompletion;
  events?: AsyncGenerator<EngineEvent>;
  first?: IteratorResult<EngineEvent>;
}

/** What the response says served it, the engine input and parameters, and the response-cache key. */
export function prepare(
  kind: ChunkKind,
  deps: CompletionDeps,
  scope: GatewayRequest,
  req: GatewayHttpRequest,
  body: ChatCompletionBody | CompletionBody,
  sent: Record<string, unknown>,
  target: ServeTarget,
  pipeline: RequestPipeline | null,
): Prepared {
  // A prompt's tools, tool_choice and response_format join the body; a field the request carries wins.
  const raw = kind === "chat" && target.prompt ? withPromptFields(sent, target.prompt.fields) : sent;
  const info: SwitchyardInfo = {
    model: target.version.model.name,
    modelVersion: `${target.version.model.name}@${target.version.version}`,
    ...(target.modelAlias ? { modelAlias: target.modelAlias } : {}),
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
  const passThrough = kind === "chat" && passesThrough(target.version);
  if (kind === "chat" && !passThrough) refuseUnsupported(raw, target.version);
  const local = kind === "chat" && !passThrough ? localStructured(raw, target.version) : null;
  if (passThrough && pipeline?.compiled.output) refuseBesideOutputGuards(raw);
  // Only a prompt or input steps change the messages: then each remembers the client's message it came from.
  const rebuilds = passThrough && (target.prompt !== null || Boolean(pipeline?.compiled.input));
  const engineInput =
    kind === "chat"
      ? chatInput(
          body as ChatCompletionBody,
          target,
          rebuilds || local?.toolMessages ? (raw.messages as unknown[]) : undefined,
        )
      : textInput(body as CompletionBody, target);
  const input = applyInputSteps(pipeline, engineInput, scope, kind === "chat" ? raw : undefined);
  const caller = callerParams(body);
  const params = effectiveParams(target, caller);
  const upstream = passThrough
    ? upstreamBody(raw, target.version.upstreamModelId!, input, !rebuilds, params, caller)
    : null;
  if (upstream) refuseUntranslatable(upstream, target.version);
  if (kind === "chat") refuseAnthropicOnly(raw, upstream, target.version);
  const cacheKey =
    deps.responseCache?.keyFor(
      { kind, stream: body.stream === true, header: req.headers.get(CACHE_HEADER) },
      { modelVersionId: target.version.id, promptVersionId: target.prompt?.id ?? null },
      // The messages as the upstream gets them: the engine's input is their text only (not tool calls, tool-call
      // ids or image URLs), and two requests differing there must not share an answer.
      upstream
        ? [upstream.messages, new CacheFields(raw)]
        : local
          ? [input, raw.messages, new CacheFields(raw)]
          : input,
      params,
      cachePolicy(pipeline),
    ) ?? null;
  return { target, info, meta, input, params, cacheKey, upstreamBody: upstream, local };
}

/** The request's body with the prompt's fields it does not carry itself (per field: the request's wins). */
function withPromptFields(sent: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  let merged: Record<string, unknown> | null = null;
  for (const field in fields) {
    if (sent[field] != null) continue;
    merged ??= { ...sent };
    merged[field] = fields[field];
  }
  return merged ?? sent;
}
