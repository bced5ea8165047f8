/**
 * The playground's stream (POST /api/rest/playground/stream) as both ends see
 * it: the server writes these Server-Sent Events, the console reads them.
 */

/** What a finished generation measured and cost. */
export interface RunStats {
  device: string;
  ttftMs: number | null;
  tpotMs: number | null;
  tokensPerSecond: number | null;
  tokensIn: number;
  tokensOut: number;
  durationMs: number;
  finishReason: string;
  costUsd: number;
}

/** `delta` as tokens arrive, then `done` or `error` (errors before the stream starts arrive as `error` too). */
export type RunStreamEvent =
  | { event: "delta"; data: { text: string } }
  | { event: "done"; data: { stats: RunStats; runId: string } }
  | { event: "error"; data: { message: string; code: string } };
