/**
 * The output pipeline on the engine's event stream: text events go through
 * the output processor; when it stops the answer (a block, maxChars) the
 * generation is aborted, its final event awaited for the usage, and the
 * `done` event carries `content_filter` or `length`. The gateway's JSON and
 * SSE writers consume this stream unchanged.
 */
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { OutputProcessor } from "./output";
import { type GuardedChunk, type ToolCallGuard, withoutText } from "./tool-calls";

type DoneEvent = Extract<EngineEvent, { type: "done" }>;

export interface GuardEventsOptions {
  /** Aborts the generation (not the client's request: the answer still completes). */
  stop: () => void;
  /** The final event to report when the aborted engine ends without one (an upstream rejects on abort). */
  fallbackDone: (generated: string) => DoneEvent;
  /** The output guards on tool calls' arguments (null: the route has no output guards). */
  calls?: ToolCallGuard | null;
}

export async function* guardEvents(
  source: AsyncGenerator<EngineEvent>,
  output: OutputProcessor,
  options: GuardEventsOptions,
): AsyncGenerator<EngineEvent> {
  let generated = "";
  const calls = options.calls ?? null;
  const stopWith = async function* (reason: "content_filter" | "length"): AsyncGenerator<EngineEvent> {
    options.stop();
    const done = await drain(source);
    yield { ...(done ?? options.fallbackDone(generated)), finishReason: reason };
  };
  const asEvent = (guarded: GuardedChunk): EngineEvent | null =>
    guarded.chunk ? { type: "text", text: "", chunk: guarded.chunk, toolCall: true } : null;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const event = next.value;
      if (event.type === "text") {
        // A pass-through stream's tool-call deltas: their arguments through the guards, the rest as it came.
        const toolChunk = event.toolCall && event.chunk ? event.chunk : null;
        if (toolChunk && !event.text && !calls) {
          yield event;
          continue;
        }
        if (event.text) {
          generated += event.text;
          const step = output.push(event.text);
          if (step.text) yield { type: "text", text: step.text };
          if (step.stop) {
            yield* stopWith(step.stop);
            return;
          }
        }
        if (toolChunk) {
          const guarded = calls
            ? calls.chunk(toolChunk, Boolean(event.text))
            : { chunk: event.text ? withoutText(toolChunk) : toolChunk, stop: false };
          const sent = asEvent(guarded);
          if (sent) yield sent;
          if (guarded.stop) {
            yield* stopWith("content_filter");
            return;
          }
        }
        continue;
      }
      // The engine's own abort (the client left) passes through untouched: the writers log it as 499.
      if (event.finishReason === "abort") {
        yield event;
        return;
      }
      const last = output.end();
      if (last.text) yield { type: "text", text: last.text };
      if (last.stop) {
        yield { ...event, finishReason: last.stop };
        return;
      }
      if (calls) {
        const held = calls.flush();
        const sent = asEvent(held);
        if (sent) yield sent;
        if (held.stop || (event.response && calls.whole(event.response))) {
          yield { ...event, finishReason: "content_filter" };
          return;
        }
      }
      yield event;
      return;
    }
  } finally {
    await source.return(undefined).catch(() => {});
  }
}

/** Reads an aborted generation to its end for the final event (tokens and time so far). */
async function drain(source: AsyncGenerator<EngineEvent>): Promise<DoneEvent | null> {
  let done: DoneEvent | null = null;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return done;
      if (next.value.type === "done") done = next.value;
    }
  } catch {
    // An aborted upstream rejects instead of finishing.
    return done;
  }
}
