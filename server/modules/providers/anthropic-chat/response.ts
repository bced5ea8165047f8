/** A Messages API answer as the chat.completion an OpenAI-compatible upstream would have sent. */
import type { FinishReason, Usage } from "../types";
import type { AnthropicMessage, AnthropicUsage } from "./wire";

export function finishReasonOf(stopReason: string | null | undefined): Exclude<FinishReason, "other"> {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      // end_turn, stop_sequence, pause_turn (a server tool paused the turn: the answer so far is whole).
      return "stop";
  }
}

/**
 * Ours: the whole prompt in `inputTokens` (Anthropic counts cached tokens apart), and the cache reads and writes
 * when the upstream reported them.
 */
export function usageOf(usage: AnthropicUsage): Usage {
  const read = usage.cache_read_input_tokens;
  const written = usage.cache_creation_input_tokens;
  const out: Usage = {
    inputTokens: (usage.input_tokens ?? 0) + (read ?? 0) + (written ?? 0),
    outputTokens: usage.output_tokens ?? 0,
  };
  if (read != null) out.cachedInputTokens = read;
  if (written != null) out.cacheWriteInputTokens = written;
  return out;
}

/** OpenAI's usage object: cache reads are `prompt_tokens_details.cached_tokens`, as OpenAI reports its own. */
export function chatUsage(usage: AnthropicUsage) {
  const ours = usageOf(usage);
  return {
    prompt_tokens: ours.inputTokens,
    completion_tokens: ours.outputTokens,
    total_tokens: ours.inputTokens + ours.outputTokens,
    prompt_tokens_details: { cached_tokens: ours.cachedInputTokens ?? 0 },
  };
}

/** `model` is the one asked for when the answer names none; `created` in Unix seconds. */
export function toChatCompletion(message: AnthropicMessage, model: string, created: number): Record<string, unknown> {
  let text: string | null = null;
  const toolCalls: Record<string, unknown>[] = [];
  for (const block of message.content) {
    if (block.type === "text") text = (text ?? "") + (block.text ?? "");
    else if (block.type === "tool_use")
      toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    // Thinking and server-tool blocks have no Chat Completions form.
  }
  const reply: Record<string, unknown> = { role: "assistant", content: text, refusal: null };
  if (toolCalls.length) reply.tool_calls = toolCalls;
  return {
    id: message.id ?? null,
    object: "chat.completion",
    created,
    model: message.model ?? model,
    choices: [{ index: 0, message: reply, logprobs: null, finish_reason: finishReasonOf(message.stop_reason) }],
    usage: chatUsage(message.usage),
  };
}
