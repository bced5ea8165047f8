/** From a resolved target to what the engine gets: input, effective parameters, the response-cache key and the `switchyard` info. */
import { DomainError } from "@/server/errors";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { CompletionDeps } from "./completions";
import { callerParams, effectiveParams } from "./generation";
import type { GatewayRequest } from "./request-scope";
import { CACHE_HEADER, type CachedCompletion } from "./response-cache";
import { type ChatCompletionBody, type CompletionBody, toEngineMessages } from "./schemas";
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
  req: Request,
  body: ChatCompletionBody | CompletionBody,
  target: ServeTarget,
): Prepared {
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
  const input =
    kind === "chat" ? chatInput(body as ChatCompletionBody, target) : textInput(body as CompletionBody, target);
  const params = effectiveParams(target, callerParams(body));
  const cacheKey =
    deps.responseCache?.keyFor(
      { kind, stream: body.stream === true, header: req.headers.get(CACHE_HEADER) },
      { modelVersionId: target.version.id, promptVersionId: target.prompt?.id ?? null },
      input,
      params,
    ) ?? null;
  return { target, info, meta, input, params, cacheKey };
}

/** The attempt loop (routing/run.ts) around `begin`; a started generation's first event is its success. */
function chatInput(body: ChatCompletionBody, target: ServeTarget): GenerationInput {
  const caller = toEngineMessages(body.messages);
  const prompt = target.prompt;
  const fromPrompt = !prompt
    ? []
    : prompt.messages
      ? prompt.messages
      : [{ role: "user" as const, content: prompt.text ?? "" }];
  const messages = [...fromPrompt, ...caller];
  if (messages.length === 0) throw emptyMessages();
  return { messages };
}

/** Only managed prompts (directly or through an experiment) may leave `messages` empty. */
export const takesMessagesFromPrompt = (model: string) =>
  model.startsWith("prompt:") || model.startsWith("experiment:");

export const emptyMessages = () =>
  new DomainError("VALIDATION", "messages: add at least one message", [
    { path: "messages", message: "Add at least one message" },
  ]);

function textInput(body: CompletionBody, target: ServeTarget): GenerationInput {
  const caller = typeof body.prompt === "string" ? body.prompt : (body.prompt?.[0] ?? "");
  const prompt = target.prompt;
  if (prompt?.type === "chat")
    throw new DomainError("VALIDATION", `Prompt '${prompt.name}' is a chat prompt: call /v1/chat/completions with it`, [
      { path: "model", message: "A chat prompt cannot serve /v1/completions" },
    ]);
  const text = `${prompt?.text ?? ""}${caller}`;
  if (!text) throw new DomainError("VALIDATION", "prompt is required", [{ path: "prompt", message: "Required" }]);
  return { prompt: text };
}
