import type { AbortLike } from "@/server/abort";
import { providerToApi } from "@/server/modules/models/mapping";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { Requester } from "@/server/modules/providers/hops";
import { runCost } from "@/server/modules/runs/cost";
import { streamLocal } from "@/server/modules/runs/local";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import { type EngineEvent, streamUpstream } from "@/server/modules/runs/upstream";
import type { ChatCompletionBody, CompletionBody } from "./schemas";
import type { ServedVersion, ServeTarget } from "./target";

export type DoneEvent = Extract<EngineEvent, { type: "done" }>;

/** OpenAI's sampling fields in our names; only what the caller set. */
export function callerParams(body: ChatCompletionBody | CompletionBody): GenerationParams {
  const out: GenerationParams = {};
  if (body.temperature != null) out.temperature = body.temperature;
  if (body.top_p != null) out.topP = body.top_p;
  const maxTokens = ("max_completion_tokens" in body ? body.max_completion_tokens : null) ?? body.max_tokens;
  if (maxTokens != null) out.maxTokens = maxTokens;
  if (body.stop != null) out.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.seed != null) out.seed = body.seed;
  return out;
}

/** Version defaults < prompt config < the caller < an experiment variant. */
export function effectiveParams(target: ServeTarget, caller: GenerationParams): GenerationParams {
  return Object.assign({}, target.baseParams, caller, target.forcedParams);
}

/**
 * Streams from the version: in-process ONNX, or its upstream endpoint. `stream` is whether the client streams:
 * an upstream is then called the same way (a non-streaming client's upstream call is one JSON answer, whose
 * first token nobody times: see `measuresTtft`).
 */
export function generate(
  version: ServedVersion,
  input: GenerationInput,
  params: GenerationParams,
  signal: AbortLike,
  stream: boolean,
  /** Chat toward an OpenAI-compatible upstream: the body to send as is (`passthrough.ts`). */
  body: Record<string, unknown> | null = null,
  /** Whose connection share an upstream call takes, and the hops the request came through. */
  requester?: Requester,
): AsyncGenerator<EngineEvent> {
  if (version.model.provider === "onnx_local")
    return streamLocal(version.artifact!, input, params, signal, {
      variant: version.onnxVariant,
      contextLength: version.model.contextLength,
      name: `${version.model.name}@${version.version}`,
    });
  return streamUpstream(
    {
      provider: providerToApi(version.model.provider) as "openai-compatible" | "anthropic",
      endpointBaseUrl: version.endpointBaseUrl!,
      upstreamModelId: version.upstreamModelId!,
      apiKeyCiphertext: version.apiKeyCiphertext,
    },
    input,
    params,
    signal,
    { whole: !stream, body, requester },
  );
}

/** Whether the engine's first text event is the first token (not the whole answer of a non-streamed upstream call). */
export function measuresTtft(version: ServedVersion, stream: boolean): boolean {
  return stream || version.model.provider === "onnx_local";
}

type Prices = Parameters<typeof runCost>[0];
/** A model's prices as numbers, per cached model row (Decimal's toNumber() is not free, and runs per request). */
const pricesByModel = new WeakMap<ServedVersion["model"], Prices>();

export function costOf(version: ServedVersion, done: DoneEvent): number {
  const { model } = version;
  let prices = pricesByModel.get(model);
  if (!prices) {
    prices = {
      priceInputPerMTok: model.priceInputPerMTok?.toNumber() ?? null,
      priceOutputPerMTok: model.priceOutputPerMTok?.toNumber() ?? null,
      priceCachedInputPerMTok: model.priceCachedInputPerMTok?.toNumber() ?? null,
      priceCacheWritePerMTok: model.priceCacheWritePerMTok?.toNumber() ?? null,
      pricePerComputeSecond: model.pricePerComputeSecond?.toNumber() ?? null,
    };
    pricesByModel.set(model, prices);
  }
  return runCost(prices, done);
}

/** OpenAI's finish_reason from the engine's (eos, stop, length, abort) or a provider's (OpenAI's words plus "other"). */
export function openAIFinishReason(reason: string): "stop" | "length" | "content_filter" | "tool_calls" {
  if (reason === "length" || reason === "content_filter" || reason === "tool_calls") return reason;
  return "stop";
}
