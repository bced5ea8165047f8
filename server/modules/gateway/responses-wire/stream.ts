/**
 * Chat Completions stream chunks to the Responses API's typed events, one chunk at a time: text deltas become
 * `response.output_text.delta`, tool-call fragments `response.function_call_arguments.delta` (as received), and
 * the end `response.completed` / `response.incomplete`, each event numbered by `sequence_number`.
 */
import { isObject, type Json, newId } from "./fields";
import {
  functionCallItem,
  messageItem,
  outputText,
  type ResponseHead,
  responseObject,
  statusOf,
  usageOf,
} from "./response";

interface OpenPart {
  type: "output_text" | "refusal";
  value: string;
}

interface OpenMessage {
  index: number;
  id: string;
  parts: OpenPart[];
  open: boolean;
}

interface OpenCall {
  index: number;
  id: string;
  callId: string;
  name: string;
  arguments: string;
  open: boolean;
}

/** One SSE event as OpenAI sends them: `event: <type>` and `data: <json>`. */
const sse = (event: Json) => `event: ${event.type as string}\ndata: ${JSON.stringify(event)}\n\n`;

export class ResponseEvents {
  private sequence = 0;
  private started = false;
  private readonly output: Json[] = [];
  private message: OpenMessage | null = null;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: unknown = null;
  private usage: unknown = null;

  constructor(private readonly head: ResponseHead) {}

  private event(type: string, fields: Json): string {
    return sse(Object.assign({ type, sequence_number: this.sequence++ }, fields));
  }

  /** `response.created` and `response.in_progress`, once, before anything else. */
  private start(out: string[], chunk: Json | null) {
    if (this.started) return;
    this.started = true;
    if (chunk && typeof chunk.model === "string") this.head.model = chunk.model;
    if (chunk?.switchyard !== undefined) this.head.switchyard = chunk.switchyard;
    const snapshot = responseObject(this.head, "in_progress", [], null);
    out.push(this.event("response.created", { response: snapshot }));
    out.push(this.event("response.in_progress", { response: snapshot }));
  }

  /** The events for one chat completion chunk. */
  chunk(chunk: Json): string[] {
    const out: string[] = [];
    this.start(out, chunk);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? (chunk.choices as Json[]).find((c) => (c.index ?? 0) === 0) : null;
    if (!choice) return out;
    const delta = isObject(choice.delta) ? choice.delta : {};
    if (typeof delta.content === "string" && delta.content) this.partDelta(out, "output_text", delta.content);
    if (typeof delta.refusal === "string" && delta.refusal) this.partDelta(out, "refusal", delta.refusal);
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) this.callDelta(out, call as Json);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  private partDelta(out: string[], type: OpenPart["type"], delta: string) {
    let message = this.message;
    if (!message?.open) {
      message = { index: this.output.length, id: newId("msg"), parts: [], open: true };
      this.message = message;
      this.output.push(messageItem(message.id, "in_progress", []));
      out.push(
        this.event("response.output_item.added", {
          output_index: message.index,
          item: messageItem(message.id, "in_progress", []),
        }),
      );
    }
    let part = message.parts.at(-1);
    if (part?.type !== type) {
      if (part) this.closePart(out, message, part);
      part = { type, value: "" };
      message.parts.push(part);
      out.push(
        this.event("response.content_part.added", {
          item_id: message.id,
          output_index: message.index,
          content_index: message.parts.length - 1,
          part: contentPart(part.type, ""),
        }),
      );
    }
    part.value += delta;
    const fields: Json = {
      item_id: message.id,
      output_index: message.index,
      content_index: message.parts.length - 1,
      delta,
    };
    if (type === "output_text") fields.logprobs = [];
    out.push(this.event(type === "output_text" ? "response.output_text.delta" : "response.refusal.delta", fields));
  }

  private closePart(out: string[], message: OpenMessage, part: OpenPart) {
    const at = { item_id: message.id, output_index: message.index, content_index: message.parts.indexOf(part) };
    if (part.type === "output_text")
      out.push(this.event("response.output_text.done", Object.assign({}, at, { text: part.value, logprobs: [] })));
    else out.push(this.event("response.refusal.done", Object.assign({}, at, { refusal: part.value })));
    out.push(
      this.event("response.content_part.done", Object.assign({}, at, { part: contentPart(part.type, part.value) })),
    );
  }

  private closeMessage(out: string[], status: string) {
    const message = this.message;
    if (!message?.open) return;
    message.open = false;
    const last = message.parts.at(-1);
    if (last) this.closePart(out, message, last);
    const item = messageItem(
      message.id,
      status,
      message.parts.map((p) => contentPart(p.type, p.value)),
    );
    this.output[message.index] = item;
    out.push(this.event("response.output_item.done", { output_index: message.index, item }));
  }

  private callDelta(out: string[], fragment: Json) {
    const key = typeof fragment.index === "number" ? fragment.index : 0;
    const fn = isObject(fragment.function) ? fragment.function : {};
    let call = this.calls.get(key);
    if (!call) {
      // A new call ends the assistant text before it, as OpenAI orders the items.
      this.closeMessage(out, "completed");
      call = {
        index: this.output.length,
        id: newId("fc"),
        callId: typeof fragment.id === "string" ? fragment.id : newId("call"),
        name: typeof fn.name === "string" ? fn.name : "",
        arguments: "",
        open: true,
      };
      this.calls.set(key, call);
      const item = functionCallItem(call.id, "in_progress", call);
      this.output.push(item);
      out.push(this.event("response.output_item.added", { output_index: call.index, item }));
    } else if (typeof fn.name === "string" && !call.name) call.name = fn.name;
    if (typeof fn.arguments === "string" && fn.arguments) {
      call.arguments += fn.arguments;
      out.push(
        this.event("response.function_call_arguments.delta", {
          item_id: call.id,
          output_index: call.index,
          delta: fn.arguments,
        }),
      );
    }
  }

  private closeCall(out: string[], call: OpenCall, status: string) {
    if (!call.open) return;
    call.open = false;
    out.push(
      this.event("response.function_call_arguments.done", {
        item_id: call.id,
        output_index: call.index,
        name: call.name,
        arguments: call.arguments,
      }),
    );
    const item = functionCallItem(call.id, status, call);
    this.output[call.index] = item;
    out.push(this.event("response.output_item.done", { output_index: call.index, item }));
  }

  /**
   * The chat stream ended (`[DONE]`): closes the open items and returns the final response object, and the
   * closing events to send once it is stored.
   */
  finish(): { response: Json; closing: string[] } {
    const out: string[] = [];
    this.start(out, null);
    const { status, incompleteReason } = statusOf(this.finishReason);
    const itemStatus = status === "incomplete" ? "incomplete" : "completed";
    // A stream that said nothing still answers one (empty) message, as a whole completion would.
    if (this.output.length === 0) this.partDelta(out, "output_text", "");
    this.closeMessage(out, itemStatus);
    for (const call of [...this.calls.values()].sort((a, b) => a.index - b.index))
      this.closeCall(out, call, itemStatus);
    const response = responseObject(this.head, status, this.output, usageOf(this.usage), { incompleteReason });
    const type = status === "completed" ? "response.completed" : "response.incomplete";
    return { response, closing: [...out, this.event(type, { response })] };
  }

  /** An error the chat stream ended with: OpenAI's `error` event, then `response.failed`. */
  fail(error: Json): string[] {
    const out: string[] = [];
    this.start(out, null);
    const message = typeof error.message === "string" ? error.message : "The response failed";
    const code = typeof error.code === "string" ? error.code : "server_error";
    // The top-level `error` object is what the SDK throws (as it does for chat streams); the flat fields are the
    // Responses API's error event.
    out.push(
      this.event("error", { code, message, param: error.param ?? null, error: Object.assign({}, error, { message }) }),
    );
    const response = responseObject(this.head, "failed", this.output, this.usage ? usageOf(this.usage) : null, {
      error: { code, message },
    });
    out.push(this.event("response.failed", { response }));
    return out;
  }
}

function contentPart(type: OpenPart["type"], value: string): Json {
  return type === "output_text" ? outputText(value) : { type: "refusal", refusal: value };
}

const encoder = new TextEncoder();

/**
 * Pipes a chat completion SSE body through `events`, chunk by chunk (nothing is buffered beyond one line).
 * `beforeEnd` runs with the final response object before `response.completed` is sent (storing it), so the
 * response can be continued as soon as the client has seen it end.
 */
export function translateStream(
  body: ReadableStream<Uint8Array>,
  events: ResponseEvents,
  beforeEnd: (response: Json) => Promise<void>,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let pending = "";
  let ended = false;
  const handle = async (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (ended || !line.startsWith("data:")) return;
    const data = line.slice(5).trim();
    let out: string[];
    if (data === "[DONE]") {
      ended = true;
      const { response, closing } = events.finish();
      await beforeEnd(response);
      out = closing;
    } else {
      const chunk = JSON.parse(data) as Json;
      if (isObject(chunk.error)) {
        ended = true;
        out = events.fail(chunk.error);
      } else out = events.chunk(chunk);
    }
    if (out.length) controller.enqueue(encoder.encode(out.join("")));
  };
  const lines = async (text: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    pending += text;
    for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      await handle(line, controller);
    }
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform: (bytes, controller) => lines(decoder.decode(bytes, { stream: true }), controller),
      async flush(controller) {
        await lines(`${decoder.decode()}\n`, controller);
        // The chat stream stopped without its end (the gateway ends a stream this way only when the client left).
        if (!ended)
          controller.enqueue(
            encoder.encode(
              events
                .fail({ message: "The stream ended before the response was complete", code: "server_error" })
                .join(""),
            ),
          );
      },
    }),
  );
}
