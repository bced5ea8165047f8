/**
 * The chat pipeline's SSE (`data: {chat.completion.chunk}` … `data: [DONE]`) → Anthropic's streaming events
 * (`message_start`, `content_block_start` / `_delta` / `_stop`, `message_delta`, `message_stop`; `error` for an
 * error chunk), translated chunk by chunk as they arrive.
 */
import { anthropicError, anthropicErrorTypeOfCode } from "./errors";
import { messageId, stopOf, usageOf } from "./response";
import { isObject } from "./validate";

const event = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify(Object.assign({ type }, data))}\n\n`;

type Open = { kind: "text"; index: number } | { kind: "tool"; index: number } | null;

/** The translation's state for one stream: `data()` per SSE data payload, `end()` when the input ends; both return SSE text. */
class AnthropicStreamTranslator {
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: Open = null;
  /** Tool-call index (OpenAI) → content block index (Anthropic). */
  private readonly toolBlocks = new Map<number, number>();
  private stop: ReturnType<typeof stopOf> = { stop_reason: "end_turn", stop_sequence: null };
  private usage: unknown = null;

  constructor(
    private readonly requestId: string,
    private readonly stopSequences: string[],
  ) {}

  data(payload: string): string {
    if (this.finished) return "";
    if (payload === "[DONE]") return this.finish();
    let chunk: unknown;
    try {
      chunk = JSON.parse(payload);
    } catch {
      return this.fail("api_error", "The stream carried a malformed chunk");
    }
    if (!isObject(chunk)) return "";
    if (isObject(chunk.error)) {
      const { message, code } = chunk.error;
      return this.fail(anthropicErrorTypeOfCode(code), typeof message === "string" ? message : "Upstream error");
    }
    let out = this.start(chunk);
    if (chunk.usage) this.usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      // A translated request asks for one choice; an upstream's extra ones have nowhere to go.
      if (!isObject(choice) || (choice.index ?? 0) !== 0) continue;
      const delta = isObject(choice.delta) ? choice.delta : {};
      const text = typeof delta.content === "string" ? delta.content : "";
      const refusal = typeof delta.refusal === "string" ? delta.refusal : "";
      if (text || refusal) out += this.text(text + refusal);
      if (refusal) this.stop = { stop_reason: "refusal", stop_sequence: null };
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) out += this.toolCall(call);
      if (choice.finish_reason && this.stop.stop_reason !== "refusal") this.stop = stopOf(choice, this.stopSequences);
    }
    return out;
  }

  /** The input ended: a stream that did not finish (no `[DONE]`, no error chunk) ends with an error event. */
  end(): string {
    if (this.finished) return "";
    return this.fail("api_error", "The stream ended before the answer was complete");
  }

  private start(chunk: Record<string, unknown>): string {
    if (this.started) return "";
    this.started = true;
    const message: Record<string, unknown> = {
      id: messageId(this.requestId),
      type: "message",
      role: "assistant",
      model: chunk.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Known only at the end: message_delta carries the totals.
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    if (chunk.switchyard) message.switchyard = chunk.switchyard;
    return event("message_start", { message });
  }

  private text(text: string): string {
    let out = "";
    if (this.open?.kind !== "text") {
      out += this.closeOpen();
      const index = this.nextIndex++;
      this.open = { kind: "text", index };
      out += event("content_block_start", { index, content_block: { type: "text", text: "" } });
    }
    return out + event("content_block_delta", { index: this.open.index, delta: { type: "text_delta", text } });
  }

  /** A tool-call delta: its first fragment opens a tool_use block, argument fragments pass on as they came. */
  private toolCall(call: unknown): string {
    if (!isObject(call)) return "";
    const fn = isObject(call.function) ? call.function : {};
    const toolIndex = typeof call.index === "number" ? call.index : 0;
    let out = "";
    let index = this.toolBlocks.get(toolIndex);
    if (index === undefined) {
      out += this.closeOpen();
      index = this.nextIndex++;
      this.toolBlocks.set(toolIndex, index);
      this.open = { kind: "tool", index };
      const id = typeof call.id === "string" ? call.id : `toolu_${this.requestId.replaceAll("-", "")}_${toolIndex}`;
      const name = typeof fn.name === "string" ? fn.name : "";
      out += event("content_block_start", { index, content_block: { type: "tool_use", id, name, input: {} } });
    }
    if (typeof fn.arguments === "string" && fn.arguments)
      out += event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: fn.arguments } });
    return out;
  }

  private closeOpen(): string {
    if (!this.open) return "";
    const { index } = this.open;
    this.open = null;
    return event("content_block_stop", { index });
  }

  private finish(): string {
    this.finished = true;
    const out = this.start({}) + this.closeOpen();
    return (
      out +
      event("message_delta", {
        delta: { stop_reason: this.stop.stop_reason, stop_sequence: this.stop.stop_sequence },
        usage: usageOf(this.usage),
      }) +
      event("message_stop", {})
    );
  }

  private fail(type: ReturnType<typeof anthropicErrorTypeOfCode>, message: string): string {
    this.finished = true;
    return `event: error\ndata: ${JSON.stringify(anthropicError(type, message))}\n\n`;
  }
}

/** Translates the chat pipeline's SSE body into Anthropic's events as each piece arrives (never buffering the stream). */
export function anthropicEventStream(
  requestId: string,
  stopSequences: string[],
): TransformStream<Uint8Array, Uint8Array> {
  const translator = new AnthropicStreamTranslator(requestId, stopSequences);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = "";
  const lines = (text: string, last: boolean): string => {
    pending += text;
    let out = "";
    let from = 0;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n", from)) {
      out += line(pending.slice(from, nl));
      from = nl + 1;
    }
    pending = pending.slice(from);
    if (last && pending) {
      out += line(pending);
      pending = "";
    }
    return out;
  };
  const line = (raw: string) => {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!text.startsWith("data:")) return "";
    return translator.data(text.slice(text[5] === " " ? 6 : 5));
  };
  return new TransformStream({
    transform(bytes, controller) {
      const out = lines(decoder.decode(bytes, { stream: true }), false);
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = lines(decoder.decode(), true) + translator.end();
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
}
