import { z } from "zod";
import { StreamAccumulator } from "./accumulator";
import { ProviderError, upstreamMessage } from "./errors";
import { definedOnly, parseEventJson, parseWire, UpstreamHttp } from "./http";
import { chatRequestSchema, completionRequestSchema } from "./schemas";
import type {
  CallOptions,
  ChatDelta,
  ChatProvider,
  ChatRequest,
  ChatResult,
  CompletionRequest,
  CompletionResult,
  FinishReason,
  Usage,
} from "./types";
import { validate } from "./validate";

export interface OpenAICompatibleConfig {
  /** Up to and including the version segment, e.g. `https://api.openai.com/v1` or `http://vllm:8000/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; omit for servers without auth (Ollama, a local vLLM). */
  apiKey?: string;
  defaultHeaders?: Record<string, string>;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

const usageWire = z
  .object({
    prompt_tokens: z.number().int().nonnegative(),
    completion_tokens: z.number().int().nonnegative(),
    // Read leniently by `toUsage` (servers send null, {}, or fields of their own): a detail is never worth a 502.
    prompt_tokens_details: z.unknown().optional(),
    completion_tokens_details: z.unknown().optional(),
  })
  .nullish();

export const responseWire = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }).nullish(),
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageWire,
});

const chunkWire = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        index: z.number().int().optional(),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z.unknown().optional(),
            function_call: z.unknown().optional(),
          })
          .nullish(),
        text: z.string().nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageWire,
});

type ResponseWire = z.infer<typeof responseWire>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isNullishString = (value: unknown) => value === undefined || value === null || typeof value === "string";
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * `responseWire` checked by hand, for the one answer every non-streamed call parses: the zod parse was ~2 % of the
 * gateway's CPU per request. At least as strict as the schema (anything it does not recognise goes to zod, which
 * then accepts it or says precisely what is wrong), and it only reads, so the value comes back as it was.
 */
export function plainResponse(value: unknown): ResponseWire | null {
  if (!isObject(value) || !isNullishString(value.id) || !isNullishString(value.model)) return null;
  const usage = value.usage;
  if (usage !== undefined && usage !== null) {
    if (!isObject(usage) || !isCount(usage.prompt_tokens) || !isCount(usage.completion_tokens)) return null;
  }
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length === 0) return null;
  for (const choice of choices) {
    if (!isObject(choice) || !isNullishString(choice.text) || !isNullishString(choice.finish_reason)) return null;
    const message = choice.message;
    if (message !== undefined && message !== null && (!isObject(message) || !isNullishString(message.content)))
      return null;
  }
  return value as ResponseWire;
}

type Endpoint = "chat" | "completion";
const PATHS: Record<Endpoint, string> = { chat: "/chat/completions", completion: "/completions" };

function mapOpenAIFinishReason(raw: string | null): FinishReason {
  switch (raw) {
    case "stop":
    case "length":
    case "content_filter":
    case "tool_calls":
      return raw;
    case "function_call":
      return "tool_calls";
    default:
      return "other";
  }
}

/**
 * Client for OpenAI's `/chat/completions` and legacy `/completions`, and everything that imitates them
 * (vLLM, TGI, Ollama, llama.cpp, LiteLLM...).
 */
export class OpenAICompatibleProvider implements ChatProvider {
  readonly kind = "openai-compatible" as const;
  private readonly http: UpstreamHttp;

  constructor(config: OpenAICompatibleConfig) {
    const headers = { ...config.defaultHeaders };
    if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;
    this.http = new UpstreamHttp({ ...config, headers });
  }

  async chat(req: ChatRequest, opts?: CallOptions): Promise<ChatResult> {
    const request = validate(chatRequestSchema, req);
    return this.call("chat", { model: request.model, messages: request.messages, ...sampling(request) }, opts);
  }

  streamChat(req: ChatRequest, opts?: CallOptions): AsyncIterable<ChatDelta> {
    const request = validate(chatRequestSchema, req);
    return this.stream("chat", { model: request.model, messages: request.messages, ...sampling(request) }, opts);
  }

  /**
   * Chat Completions as a pass-through: `body` (its `model` the upstream's) is sent as is, and the result keeps
   * the upstream's JSON answer in `response`.
   */
  chatBody(body: { model: string; [field: string]: unknown }, opts?: CallOptions): Promise<ChatResult> {
    return this.call("chat", body, opts, true);
  }

  /** `chatBody` streamed (`body.stream` is true): every upstream chunk comes as a text delta carrying it in `chunk`. */
  streamChatBody(body: { model: string; [field: string]: unknown }, opts?: CallOptions): AsyncIterable<ChatDelta> {
    return this.stream("chat", body, opts, true);
  }

  async complete(req: CompletionRequest, opts?: CallOptions): Promise<CompletionResult> {
    const request = validate(completionRequestSchema, req);
    return this.call("completion", { model: request.model, prompt: request.prompt, ...sampling(request) }, opts);
  }

  streamComplete(req: CompletionRequest, opts?: CallOptions): AsyncIterable<ChatDelta> {
    const request = validate(completionRequestSchema, req);
    return this.stream("completion", { model: request.model, prompt: request.prompt, ...sampling(request) }, opts);
  }

  private async call(
    endpoint: Endpoint,
    body: { model: string; [field: string]: unknown },
    opts?: CallOptions,
    asIs = false,
  ): Promise<ChatResult> {
    const acc = new StreamAccumulator(body.model);
    // Spread last: on Node 20 a property after a spread is a slow path (~0.5 µs each).
    const json = await this.http.postJson(PATHS[endpoint], asIs ? body : { stream: false, ...body }, opts);
    const response = plainResponse(json) ?? parseWire(responseWire, json, this.http.host);
    const choice = response.choices[0];
    acc.id = response.id ?? null;
    acc.model = response.model ?? body.model;
    acc.text(endpoint === "chat" ? choice.message?.content : choice.text);
    acc.rawFinishReason = choice.finish_reason ?? null;
    acc.usage = toUsage(response.usage);
    const result = acc.result(mapOpenAIFinishReason);
    result.timing.ttftMs = null;
    if (asIs) result.response = json as Record<string, unknown>;
    return result;
  }

  private async *stream(
    endpoint: Endpoint,
    body: { model: string; [field: string]: unknown },
    opts?: CallOptions,
    asIs = false,
  ): AsyncGenerator<ChatDelta> {
    const acc = new StreamAccumulator(body.model);
    const events = this.http.postSse(
      PATHS[endpoint],
      asIs ? body : { stream: true, stream_options: { include_usage: true }, ...body },
      opts,
    );
    for await (const event of events) {
      if (event.data.trim() === "[DONE]") {
        yield acc.done(mapOpenAIFinishReason);
        return;
      }
      const payload = parseEventJson(event.data, this.http.host);
      if (event.event === "error" || isErrorPayload(payload)) {
        const message = upstreamMessage(event.data) ?? "unknown error";
        throw new ProviderError("UPSTREAM", `upstream ${this.http.host} reported an error mid-stream: ${message}`);
      }
      const chunk = parseWire(chunkWire, payload, this.http.host);
      acc.id ??= chunk.id ?? null;
      if (chunk.model) acc.model = chunk.model;
      if (chunk.usage) acc.usage = toUsage(chunk.usage);
      // The first choice is the one we log (a pass-through caller may ask for n > 1: it gets every chunk).
      const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
      if (choice?.finish_reason) acc.rawFinishReason = choice.finish_reason;
      const delta = choice ? acc.text(endpoint === "chat" ? choice.delta?.content : choice.text) : null;
      if (asIs) {
        const toolCall = chunk.choices?.some((c) => c.delta?.tool_calls != null || c.delta?.function_call != null);
        yield { type: "text", text: delta?.text ?? "", chunk: payload as Record<string, unknown>, toolCall };
      } else if (delta) yield delta;
    }
    // Some servers omit [DONE]; a stream that at least finished its choice is complete.
    if (acc.rawFinishReason) {
      yield acc.done(mapOpenAIFinishReason);
      return;
    }
    throw new ProviderError("UPSTREAM", `upstream ${this.http.host} closed the stream before it finished`, {
      retryable: true,
    });
  }
}

function sampling(request: ChatRequest | CompletionRequest) {
  return definedOnly({
    temperature: request.temperature,
    top_p: request.topP,
    max_tokens: request.maxTokens,
    stop: request.stop?.length ? request.stop : undefined,
    seed: request.seed,
  });
}

/** OpenAI's usage in ours, with `cached_tokens` and `reasoning_tokens` when the upstream reported them. */
function toUsage(usage: z.infer<typeof usageWire>): Usage | null {
  if (!usage) return null;
  const out: Usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  const cached = detail(usage.prompt_tokens_details, "cached_tokens");
  if (cached !== undefined) out.cachedInputTokens = cached;
  const reasoning = detail(usage.completion_tokens_details, "reasoning_tokens");
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}

function detail(details: unknown, field: string): number | undefined {
  if (!isObject(details)) return undefined;
  const value = details[field];
  return isCount(value) ? (value as number) : undefined;
}

function isErrorPayload(payload: unknown) {
  const record = payload as { error?: unknown; object?: unknown } | null;
  return typeof record === "object" && record !== null && (Boolean(record.error) || record.object === "error");
}
