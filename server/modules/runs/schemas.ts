import { z } from "zod";
import { type RunStats, runStats } from "@/lib/run-stream";
import { generationParams } from "@/server/modules/models/schemas";

const chatMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(200_000),
});

/** What to generate from: chat messages (formatted by the model's template) or raw text. */
export const generationInput = z.union([
  z.object({ messages: z.array(chatMessage).min(1, "Add at least one message") }),
  z.object({ prompt: z.string().min(1, "The prompt is empty").max(200_000) }),
]);
export type GenerationInput = z.infer<typeof generationInput>;

export const runRequest = z.object({
  /** A model version id, or a reference: `name`, `name@alias`, `name@3`. */
  model: z.string().min(1).max(200),
  input: generationInput,
  params: generationParams.default({}),
  /** Playground history: which saved run and which column this generation fills. */
  playgroundRunId: z.string().uuid().optional(),
  slot: z.number().int().min(0).max(3).optional(),
});

export type RunEvent = { type: "text"; text: string } | { type: "done"; stats: RunStats; runId: string };

/** One column of a saved playground run, written when its generation ends (`stats` is null when it failed). */
export const playgroundSlot = z.object({
  text: z.string(),
  stats: runStats.nullable(),
  error: z.string().nullable(),
  /** `name@version` */
  model: z.string(),
  /** The caller pressed Stop: `text` is what had arrived, and nothing failed. */
  stopped: z.boolean().optional(),
});
export type PlaygroundSlot = z.infer<typeof playgroundSlot>;
