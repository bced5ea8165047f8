/**
 * Request bodies of the OpenAI endpoints the gateway serves, validated with
 * OpenAI's field names so a failure's `param` names what the caller sent.
 * Unknown fields are ignored (clients send many); fields we cannot honour
 * (tools, n > 1, logprobs...) are refused rather than silently dropped.
 */
import { z } from "zod";

const MAX_TEXT = 200_000;

const textPart = z.object({
  type: z.literal("text", { message: "Only text content parts are supported" }),
  text: z.string(),
});

const chatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant"], {
    message: "role must be system, developer, user or assistant (tool messages are not supported)",
  }),
  content: z.union([z.string().max(MAX_TEXT), z.array(textPart).max(100)]).nullish(),
  name: z.string().max(100).optional(),
});

/** Accepts what OpenAI documents but we cannot serve only when it is absent, null, false or empty. */
const unsupported = (what: string) =>
  z
    .unknown()
    .refine((v) => v === undefined || v === null || v === false || (Array.isArray(v) && v.length === 0), {
      message: `${what} is not supported by this gateway`,
    })
    .optional();

const stopSequence = z.string().min(1, "A stop sequence cannot be empty").max(100);

/** Sampling fields shared by both endpoints, in OpenAI's names and our engine's ranges. */
const common = {
  model: z.string({ message: "model is required" }).trim().min(1, "model is required").max(300),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).max(32_768).nullish(),
  stop: z.union([stopSequence, z.array(stopSequence).max(8)]).nullish(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .nullish(),
  n: z.literal(1, { message: "Only n = 1 is supported" }).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  /** OpenAI's end-user id: the experiment unit, and the log's userId. */
  user: z.string().max(200).nullish(),
  /** Switchyard: variables for `prompt:` and `experiment:` models. */
  variables: z.record(z.string(), z.unknown()).nullish(),
  logprobs: unsupported("logprobs"),
  logit_bias: z
    .record(z.string(), z.number())
    .refine((v) => Object.keys(v).length === 0, { message: "logit_bias is not supported by this gateway" })
    .nullish(),
};

export const chatCompletionBody = z.object({
  ...common,
  /** May be empty when a `prompt:` or `experiment:` model supplies the messages. */
  messages: z.array(chatMessage, { message: "messages must be an array of messages" }).max(1000),
  max_completion_tokens: z.number().int().min(1).max(32_768).nullish(),
  tools: unsupported("tools"),
  tool_choice: unsupported("tool_choice"),
  functions: unsupported("functions"),
  function_call: unsupported("function_call"),
  top_logprobs: unsupported("top_logprobs"),
  response_format: z
    .object({ type: z.literal("text", { message: "Only response_format {type: 'text'} is supported" }) })
    .nullish(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

export const completionBody = z.object({
  ...common,
  /** One prompt (token arrays and batches are not supported); optional for `prompt:` models. */
  prompt: z
    .union([z.string().max(MAX_TEXT), z.array(z.string().max(MAX_TEXT)).length(1, "Send one prompt per request")])
    .nullish(),
  suffix: unsupported("suffix"),
  echo: unsupported("echo"),
  best_of: z.literal(1, { message: "Only best_of = 1 is supported" }).nullish(),
});
export type CompletionBody = z.infer<typeof completionBody>;

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** OpenAI messages to the engine's: `developer` is a system turn, text parts are joined. */
export function toEngineMessages(messages: ChatCompletionBody["messages"]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
  }));
}
