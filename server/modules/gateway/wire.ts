/** The OpenAI response objects the gateway sends, as the official SDK reads them. */

/** What served the request; also sent as `x-switchyard-*` headers. */
export interface SwitchyardInfo {
  /** The registry model's name. */
  model: string;
  /** `name@version` of the model version that generated. */
  modelVersion: string;
  /**
   * What the model reference went through when it named no version: `production` (a bare name whose model has that
   * alias), `latest` (a bare name without it, or `name@latest`) or the alias named (`name@staging`). Absent for
   * `name@3`. Sent as `x-switchyard-model-alias`.
   */
  modelAlias?: string;
  /** `name@version` of the managed prompt rendered, if any. */
  promptVersion: string | null;
  experiment: string | null;
  /** The variant's key when the caller was exposed to one. */
  variant: string | null;
  requestId: string;
  /** Routed requests only: the route's deployment that served (a registry reference) and how many attempts it took. */
  deployment?: string;
  attempts?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const usageOf = (tokensIn: number, tokensOut: number): Usage => ({
  prompt_tokens: tokensIn,
  completion_tokens: tokensOut,
  total_tokens: tokensIn + tokensOut,
});

export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
  switchyard: SwitchyardInfo;
}

export function chatCompletion(meta: ResponseMeta, text: string, finishReason: string, usage: Usage) {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: text, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
    switchyard: meta.switchyard,
  };
}

export function textCompletion(meta: ResponseMeta, text: string, finishReason: string, usage: Usage) {
  return {
    id: meta.id,
    object: "text_completion" as const,
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage,
    switchyard: meta.switchyard,
  };
}

/**
 * A pass-through upstream's answer, as it came (every choice, tool calls, logprobs, usage details,
 * system_fingerprint), with our `model` and `switchyard`. Where an output step changed the first choice's text
 * (a mask, a cut) it carries what the step let through and the step's finish reason; tool calls stay.
 */
export function upstreamCompletion(
  response: Record<string, unknown>,
  meta: ResponseMeta,
  text: string,
  finishReason: string,
): Record<string, unknown> {
  response.model = meta.model;
  fillIn(response, meta, "chat.completion");
  const first = (response.choices as { message?: { content?: unknown }; finish_reason?: unknown }[])[0];
  if (first?.message && (first.message.content ?? "") !== text) {
    first.message.content = text;
    first.finish_reason = finishReason;
  }
  response.switchyard = meta.switchyard;
  return response;
}

/** A pass-through upstream's stream chunk, as it came, with our `model`; the first one also says what served it. */
export function upstreamChunk(chunk: Record<string, unknown>, meta: ResponseMeta, first: boolean) {
  chunk.model = meta.model;
  fillIn(chunk, meta, "chat.completion.chunk");
  if (first) chunk.switchyard = meta.switchyard;
  return chunk;
}

/** What the SDK expects and a sparse OpenAI-compatible server may leave out: ours, only where missing. */
function fillIn(answer: Record<string, unknown>, meta: ResponseMeta, object: string) {
  if (answer.id == null) answer.id = meta.id;
  if (answer.object == null) answer.object = object;
  if (answer.created == null) answer.created = meta.created;
}

export type ChunkKind = "chat" | "text";

/**
 * One streamed chunk. Chat: `delta` with the role first, then content, then
 * an empty delta with the finish reason. With `include_usage`, every chunk
 * carries `usage: null` and a last chunk with no choices carries the totals.
 */
export function chunk(
  kind: ChunkKind,
  meta: ResponseMeta,
  part: { text?: string; role?: boolean; finishReason?: string | null; usage?: Usage | null; withUsage: boolean },
  extra: Record<string, unknown> = {},
) {
  const finish = part.finishReason ?? null;
  const choices =
    part.usage !== undefined && part.usage !== null
      ? []
      : kind === "chat"
        ? [
            {
              index: 0,
              delta: finish
                ? {}
                : {
                    ...(part.role ? { role: "assistant" } : {}),
                    ...(part.text !== undefined ? { content: part.text } : {}),
                  },
              logprobs: null,
              finish_reason: finish,
            },
          ]
        : [{ index: 0, text: part.text ?? "", logprobs: null, finish_reason: finish }];
  return {
    id: meta.id,
    object: kind === "chat" ? ("chat.completion.chunk" as const) : ("text_completion" as const),
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices,
    ...(part.withUsage ? { usage: part.usage ?? null } : {}),
    ...extra,
  };
}

const encoder = new TextEncoder();
export const sseData = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
export const SSE_DONE = encoder.encode("data: [DONE]\n\n");

/** Header values must be printable ASCII: other names (experiments allow any) are percent-encoded. */
const headerValue = (value: string) => (/^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value));

export function switchyardHeaders(info: SwitchyardInfo): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": info.requestId,
    "x-switchyard-model-version": headerValue(info.modelVersion),
  };
  if (info.modelAlias) headers["x-switchyard-model-alias"] = headerValue(info.modelAlias);
  if (info.promptVersion) headers["x-switchyard-prompt-version"] = headerValue(info.promptVersion);
  if (info.experiment) headers["x-switchyard-experiment"] = headerValue(info.experiment);
  if (info.variant) headers["x-switchyard-variant"] = headerValue(info.variant);
  if (info.deployment) headers["x-switchyard-deployment"] = headerValue(info.deployment);
  if (info.attempts) headers["x-switchyard-attempts"] = String(info.attempts);
  return headers;
}
