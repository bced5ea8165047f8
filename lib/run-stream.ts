/**
 * The playground's stream (POST /api/rest/playground/stream) as both ends see
 * it: the server writes these Server-Sent Events, the console reads them.
 */

import { z } from "zod";

/** What a finished generation measured and cost. */
export const runStats = z.object({
  device: z.string(),
  ttftMs: z.number().nullable(),
  tpotMs: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
  tokensIn: z.number(),
  tokensOut: z.number(),
  durationMs: z.number(),
  finishReason: z.string(),
  costUsd: z.number(),
});
export type RunStats = z.infer<typeof runStats>;

/** `delta` as tokens arrive, then `done` or `error` (errors before the stream starts arrive as `error` too). */
export type RunStreamEvent =
  | { event: "delta"; data: { text: string } }
  | { event: "done"; data: { stats: RunStats; runId: string } }
  | { event: "error"; data: { message: string; code: string } };
