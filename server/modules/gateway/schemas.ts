/**
 * Request bodies of the OpenAI endpoints the gateway serves, validated with
 * OpenAI's field names so a failure's `param` names what the caller sent.
 * Chat validates only what the gateway acts on (model, the messages it logs
 * and guards, sampling, stream): every other field (tools, response_format,
 * n, logprobs...) travels untouched to an OpenAI-compatible upstream, and a
 * model that cannot honour one refuses it by name (`passthrough.ts`). Legacy
 * completions still refuse what no model here can serve.
 */
import { z } from "zod";

const MAX_TEXT = 200_000;

/** A text part is read (logged, guarded); any other part (image_url, input_audio, file...) only needs a type. */
const contentPart = z.union([
  z.object({ type: z.literal("text"), text: z.string().max(MAX_TEXT) }),
  z.object({ type: z.string().refine((t) => t !== "text", "A text part needs its text") }),
]);

const chatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"], {
    message: "role must be system, developer, user, assistant, tool or function",
  }),
  content: z
    .union([z.string().max(MAX_TEXT), z.array(contentPart).max(100)], {
      message: "content must be a string, an array of content parts or null",
    })
    .nullish(),
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
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  /** OpenAI's end-user id: the experiment unit, and the log's userId. */
  user: z.string().max(200).nullish(),
  /** Switchyard: variables for `prompt:` and `experiment:` models. */
  variables: z.record(z.string(), z.unknown()).nullish(),
};

export const chatCompletionBody = z.object({
  ...common,
  /** May be empty when a `prompt:` or `experiment:` model supplies the messages. */
  messages: z.array(chatMessage, { message: "messages must be an array of messages" }).max(1000),
  max_completion_tokens: z.number().int().min(1).max(32_768).nullish(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

export const completionBody = z.object({
  ...common,
  /** One prompt (token arrays and batches are not supported); optional for `prompt:` models. */
  prompt: z
    .union([z.string().max(MAX_TEXT), z.array(z.string().max(MAX_TEXT)).length(1, "Send one prompt per request")])
    .nullish(),
  n: z.literal(1, { message: "Only n = 1 is supported" }).nullish(),
  logprobs: unsupported("logprobs"),
  logit_bias: z
    .record(z.string(), z.number())
    .refine((v) => Object.keys(v).length === 0, { message: "logit_bias is not supported by this gateway" })
    .nullish(),
  suffix: unsupported("suffix"),
  echo: unsupported("echo"),
  best_of: z.literal(1, { message: "Only best_of = 1 is supported" }).nullish(),
});
export type CompletionBody = z.infer<typeof completionBody>;

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** The text of a message: its string, or its text parts joined (other parts carry no text to log or guard). */
export function messageText(content: ChatCompletionBody["messages"][number]["content"]): string {
  if (typeof content === "string") return content;
  let text = "";
  if (content) for (const part of content) if ("text" in part) text += part.text;
  return text;
}

/** OpenAI messages to the engine's: `developer` is a system turn, tool results are read as the user's, text parts are joined. */
export function toEngineMessages(messages: ChatCompletionBody["messages"]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role === "tool" || m.role === "function" ? "user" : m.role,
    content: messageText(m.content),
  }));
}
