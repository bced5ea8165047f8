/** Messages API stream events as the chat.completion.chunk objects an OpenAI-compatible upstream would stream. */
import { chatUsage, finishReasonOf } from "./response";
import type { AnthropicStreamEvent, AnthropicUsage } from "./wire";

export interface TranslatedChunk {
  chunk: Record<string, unknown>;
  /** The chunk's content delta ("" when none). */
  text: string;
  /** Whether it carries tool-call deltas. */
  toolCall: boolean;
}

/**
 * One per stream. Tool calls are numbered among themselves (OpenAI's `index`), not among all content blocks;
 * argument fragments go out exactly as they came, mid-JSON. With `includeUsage` every chunk carries `usage: null`
 * and `message_stop` adds the usage chunk (`choices: []`), as OpenAI does when `stream_options.include_usage` is set.
 */
export class ChunkTranslator {
  id: string | null = null;
  model: string;
  stopReason: string | null = null;
  usage: AnthropicUsage = {};
  /** Content block index → tool call index. */
  private readonly toolCalls = new Map<number, number>();

  constructor(
    model: string,
    private readonly created: number,
    private readonly includeUsage: boolean,
  ) {
    this.model = model;
  }

  /** The chunks `event` becomes (none for most events). */
  translate(event: AnthropicStreamEvent): TranslatedChunk[] {
    switch (event.type) {
      case "message_start":
        this.id = event.message.id ?? null;
        if (event.message.model) this.model = event.message.model;
        this.addUsage(event.message.usage);
        return [this.delta({ role: "assistant", content: "", refusal: null })];
      case "content_block_start": {
        const block = event.content_block;
        if (block.type === "text" && block.text) return [this.delta({ content: block.text }, block.text)];
        if (block.type !== "tool_use") return [];
        const index = this.toolCalls.size;
        this.toolCalls.set(event.index, index);
        const call = { index, id: block.id, type: "function", function: { name: block.name, arguments: "" } };
        return [this.delta({ tool_calls: [call] }, "", true)];
      }
      case "content_block_delta": {
        const { delta } = event;
        if (delta.type === "text_delta" && delta.text) return [this.delta({ content: delta.text }, delta.text)];
        const index = this.toolCalls.get(event.index);
        if (delta.type !== "input_json_delta" || index === undefined || !delta.partial_json) return [];
        return [this.delta({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] }, "", true)];
      }
      case "message_delta":
        this.addUsage(event.usage);
        if (!event.delta.stop_reason) return [];
        this.stopReason = event.delta.stop_reason;
        return [this.delta({}, "", false, finishReasonOf(this.stopReason))];
      case "message_stop":
        if (!this.includeUsage) return [];
        return [{ chunk: this.envelope([], chatUsage(this.usage)), text: "", toolCall: false }];
    }
  }

  /** Stream usage is cumulative: a later figure replaces an earlier one, field by field. */
  private addUsage(usage: AnthropicUsage | null | undefined) {
    if (!usage) return;
    for (const key of Object.keys(usage) as (keyof AnthropicUsage)[])
      if (usage[key] != null) this.usage[key] = usage[key];
  }

  private delta(delta: Record<string, unknown>, text = "", toolCall = false, finish: string | null = null) {
    const chunk = this.envelope([{ index: 0, delta, logprobs: null, finish_reason: finish }], null);
    return { chunk, text, toolCall };
  }

  private envelope(choices: unknown[], usage: unknown): Record<string, unknown> {
    const chunk: Record<string, unknown> = {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices,
    };
    if (this.includeUsage) chunk.usage = usage;
    return chunk;
  }
}
