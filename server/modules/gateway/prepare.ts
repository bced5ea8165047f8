/** From a resolved target to what the engine gets: input, effective parameters, the response-cache key and the `switchyard` info. */
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { CompletionDeps } from "./completion-deps";
import { chatInput, textInput } from "./engine-input";
import { callerParams, effectiveParams } from "./generation";
import type { GatewayHttpRequest } from "./http-request";
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
  target: ServeTarget,
  pipeline: RequestPipeline | null,
): Prepared {
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
  return { target, info, meta, input, params, cacheKey };
}
