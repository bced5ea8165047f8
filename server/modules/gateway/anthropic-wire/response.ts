/** A chat.completion → Anthropic's Message object, as `@anthropic-ai/sdk` reads it. */
import { isObject } from "./validate";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** `msg_…` from our request id: the same id the x-request-id header and the log row carry. */
export const messageId = (requestId: string) => `msg_${requestId.replaceAll("-", "")}`;

/**
 * Anthropic's stop reason and sequence for a choice. OpenAI's `stop` covers both the model's own end and a stop
 * sequence; it is `stop_sequence` only when the upstream says which one matched (vLLM's `stop_reason` on the choice).
 */
export function stopOf(
  choice: { finish_reason?: unknown; stop_reason?: unknown },
  stopSequences: string[],
): { stop_reason: StopReason; stop_sequence: string | null } {
  switch (choice.finish_reason) {
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "tool_calls":
    case "function_call":
      return { stop_reason: "tool_use", stop_sequence: null };
    case "content_filter":
      return { stop_reason: "refusal", stop_sequence: null };
  }
  const matched = choice.stop_reason;
  if (typeof matched === "string" && stopSequences.includes(matched))
    return { stop_reason: "stop_sequence", stop_sequence: matched };
  return { stop_reason: "end_turn", stop_sequence: null };
}

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Anthropic's usage from OpenAI's. Anthropic's input_tokens leave out the tokens read from or written to the
 * prompt cache; OpenAI's prompt_tokens include them (cached_tokens; cache writes where the usage names them, as
 * `cache_creation_input_tokens`).
 */
export function usageOf(usage: unknown): AnthropicUsage {
  const u = isObject(usage) ? usage : {};
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cacheRead = count(details.cached_tokens);
  const cacheWrite = count(u.cache_creation_input_tokens);
  return {
    input_tokens: Math.max(0, count(u.prompt_tokens) - cacheRead - cacheWrite),
    output_tokens: count(u.completion_tokens),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

/**
 * A tool call's arguments as the tool_use block's input. Arguments that are not a JSON object (a model's broken
 * JSON) stay the string they were, so the client sees what the model produced rather than an empty input.
 */
function toolInput(args: unknown): unknown {
  if (typeof args !== "string" || args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** The Message for a chat.completion (its first choice: a translated request never asks for more). */
export function toAnthropicMessage(
  completion: Record<string, unknown>,
  requestId: string,
  stopSequences: string[],
): Record<string, unknown> {
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  const choice = isObject(choices[0]) ? choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: Record<string, unknown>[] = [];
  const text = typeof message.content === "string" ? message.content : "";
  // OpenAI's refusal is the model's own words: Anthropic says them as text, with stop_reason refusal.
  const refusal = typeof message.refusal === "string" && message.refusal ? message.refusal : null;
  if (text || refusal) content.push({ type: "text", text: text || refusal });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const call of calls) {
    if (!isObject(call)) continue;
    const fn = isObject(call.function) ? call.function : {};
    content.push({ type: "tool_use", id: call.id, name: fn.name, input: toolInput(fn.arguments) });
  }
  const stop = refusal && !text ? { stop_reason: "refusal", stop_sequence: null } : stopOf(choice, stopSequences);
  return {
    id: messageId(requestId),
    type: "message",
    role: "assistant",
    model: completion.model,
    content,
    stop_reason: stop.stop_reason,
    stop_sequence: stop.stop_sequence,
    usage: usageOf(completion.usage),
    switchyard: completion.switchyard,
  };
}
