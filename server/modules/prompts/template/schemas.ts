import { z } from "zod";

/**
 * Prompt content shapes shared by the server and the console (no server-only imports here).
 * A text prompt is one Jinja template; a chat prompt is a list of role/content templates.
 */

const MAX_TEXT_TEMPLATE_CHARS = 200_000;
const MAX_MESSAGE_CHARS = 100_000;
const MAX_CHAT_MESSAGES = 50;

export const CHAT_ROLES = ["system", "user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

const textTemplate = z
  .string()
  .max(MAX_TEXT_TEMPLATE_CHARS, `A template is at most ${MAX_TEXT_TEMPLATE_CHARS} characters`);

const chatMessageTemplate = z.object({
  role: z.enum(CHAT_ROLES),
  content: z.string().max(MAX_MESSAGE_CHARS, `A message is at most ${MAX_MESSAGE_CHARS} characters`),
});
export type ChatMessageTemplate = z.infer<typeof chatMessageTemplate>;

const chatTemplate = z
  .array(chatMessageTemplate)
  .min(1, "A chat prompt needs at least one message")
  .max(MAX_CHAT_MESSAGES, `A chat prompt has at most ${MAX_CHAT_MESSAGES} messages`);

/** Prompt content with its type spelled out (the shape the template functions take). */
export const promptContent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), template: textTemplate }),
  z.object({ type: z.literal("chat"), template: chatTemplate }),
]);
export type PromptContent = z.infer<typeof promptContent>;

/** Values for a render: any JSON-like value per variable name. */
const promptVariables = z.record(z.string(), z.unknown());
export type PromptVariables = z.infer<typeof promptVariables>;

/**
 * `{% include "ref" %}` references: `name` (latest), `name@label` or `name@3` (a version).
 * Names and labels follow the prompt registry's rules (folders separated by '/').
 */
export const INCLUDE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
export const INCLUDE_LABEL_PATTERN = /^[a-z0-9-]+$/;
