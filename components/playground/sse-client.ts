import { createParser, type EventSourceParser } from "eventsource-parser";
import type { RunStreamEvent as StreamEvent } from "@/lib/run-stream";

export type { StreamEvent };

/**
 * POSTs to the playground stream and calls `onEvent` for each Server-Sent
 * Event as it arrives. Errors before the stream starts (400, 404…) arrive as
 * an `error` event too, so the caller has one path for failures.
 */
export async function streamGeneration(
  projectId: string,
  body: unknown,
  signal: AbortSignal,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  const response = await fetch("/api/rest/playground/stream", {
    method: "POST",
    headers: { "content-type": "application/json", "x-switchyard-project": projectId },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok || !response.body) {
    const payload = await response.json().catch(() => null);
    onEvent({
      event: "error",
      data: { message: payload?.error?.message ?? `HTTP ${response.status}`, code: payload?.error?.code ?? "HTTP" },
    });
    return;
  }
  const parser = createStreamEventParser(onEvent);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}

/**
 * An SSE parser for the playground stream: feed it text chunks split anywhere, and it calls
 * `onEvent` for each complete named event, its `data` parsed as JSON.
 */
export function createStreamEventParser(onEvent: (event: StreamEvent) => void): EventSourceParser {
  return createParser({
    onEvent: (message) => {
      if (message.event && message.data)
        onEvent({ event: message.event, data: JSON.parse(message.data) } as StreamEvent);
    },
  });
}
