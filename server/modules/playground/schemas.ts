import { z } from "zod";
import { playgroundConfigs } from "@/lib/generation-params";
import { generationParams } from "@/server/modules/models/schemas";
import { generationInput } from "@/server/modules/runs/schemas";

/** What Run sends to be saved: the compared configurations and the one input they share. */
export const createPlaygroundRunInput = z.object({
  configs: playgroundConfigs,
  input: generationInput,
});

/** A playground message: the text roles the playground sends (tools and media are not replayed). */
const draftMessage = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});

/** A logged gateway request turned into what the playground can run again ("Open in playground"). */
export const playgroundDraft = z.object({
  requestId: z.string(),
  /** A model reference the playground can run (`name`, `name@alias`, `name@3`); null when none is known. */
  model: z.string().nullable(),
  /** False when the project's body logging was off: only the model can be restored. */
  bodyLogged: z.boolean(),
  /** null when there was no body, or no conversation in it the playground can send. */
  input: z
    .object({
      mode: z.enum(["chat", "raw"]),
      system: z.string(),
      messages: z.array(draftMessage),
      prompt: z.string(),
    })
    .nullable(),
  params: generationParams,
  /** What the request had that the playground does not replay, in words ("2 tool messages", "tools: get_weather"). */
  leftOut: z.array(z.string()),
});
export type PlaygroundDraft = z.infer<typeof playgroundDraft>;
