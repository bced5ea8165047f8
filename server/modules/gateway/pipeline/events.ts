/**
 * The output pipeline on the engine's event stream: text events go through
 * the output processor; when it stops the answer (a block, maxChars) the
 * generation is aborted, its final event awaited for the usage, and the
 * `done` event carries `content_filter` or `length`. The gateway's JSON and
 * SSE writers consume this stream unchanged.
 */
import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { OutputProcessor } from "./output";

type DoneEvent = Extract<EngineEvent, { type: "done" }>;

export interface GuardEventsOptions {
  /** Aborts the generation (not the client's request: the answer still completes). */
  stop: () => void;
  /** The final event to report when the aborted engine ends without one (an upstream rejects on abort). */
  fallbackDone: (generated: string) => DoneEvent;
}

export async function* guardEvents(
  source: AsyncGenerator<EngineEvent>,
  output: OutputProcessor,
  options: GuardEventsOptions,
): AsyncGenerator<EngineEvent> {
  let generated = "";
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      const event = next.value;
      if (event.type === "text") {
        // A pass-through stream's tool-call deltas are not text to guard: they reach the client intact.
        if (event.toolCall && !event.text) {
          yield event;
          continue;
        }
        generated += event.text;
        const step = output.push(event.text);
        if (step.text) yield { type: "text", text: step.text };
        if (step.stop) {
          options.stop();
          const done = await drain(source);
          yield { ...(done ?? options.fallbackDone(generated)), finishReason: step.stop };
          return;
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
      yield last.stop ? { ...event, finishReason: last.stop } : event;
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
