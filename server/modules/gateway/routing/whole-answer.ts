import type { EngineEvent } from "@/server/modules/runs/upstream";
import type { Started } from "../prepare";
import { guardEvents } from "./stream";

/**
 * For a non-streamed answer: reads the attempt's events to the end (each
 * within `idleMs`) before anything is sent, then replays them. An upstream
 * that breaks off or stalls after its first token then fails this attempt,
 * and the route tries the next one instead of answering 502/504.
 */
export function readWhole(idleMs: number) {
  return async (started: Started, attempt: AbortController, deployment: string): Promise<Started> => {
    if (!started.events || !started.first || started.first.done) return started;
    const events: EngineEvent[] = [];
    const guarded = guardEvents(started.events, idleMs, attempt, deployment, () => {}, started.first);
    for await (const event of guarded) events.push(event);
    const [first, ...rest] = events;
    if (!first) return { ...started, events: replay([]), first: { done: true, value: undefined } };
    return { ...started, events: replay(rest), first: { done: false, value: first } };
  };
}

async function* replay(events: EngineEvent[]): AsyncGenerator<EngineEvent> {
  for (const event of events) yield event;
}
