/** What we read of Anthropic's Messages API answers (zod drops the rest; unknown block and event types are kept). */
import { z } from "zod";

export const usageWire = z.object({
  input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
});
export type AnthropicUsage = z.infer<typeof usageWire>;

/** A content block: text and tool_use are translated; other types (thinking, server tools) are read and skipped. */
const blockWire = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
});

export const messageWire = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(blockWire),
  stop_reason: z.string().nullish(),
  usage: usageWire,
});
export type AnthropicMessage = z.infer<typeof messageWire>;

export const streamEventWire = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message_start"), message: messageWire.partial().extend({ usage: usageWire.nullish() }) }),
  z.object({ type: z.literal("content_block_start"), index: z.number().int(), content_block: blockWire }),
  z.object({
    type: z.literal("content_block_delta"),
    index: z.number().int(),
    delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
  }),
  z.object({
    type: z.literal("message_delta"),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: usageWire.nullish(),
  }),
  z.object({ type: z.literal("message_stop") }),
]);
export type AnthropicStreamEvent = z.infer<typeof streamEventWire>;

/** The event types `streamEventWire` reads, plus `error`; the rest (ping, content_block_stop, later additions) carry nothing we need. */
export const TRANSLATED_EVENTS = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "message_delta",
  "message_stop",
  "error",
]);
