import { DomainError } from "@/server/errors";
import { type ChatMessageTemplate, type PromptContent, promptContent } from "./schemas";
import { rootSource, type Source } from "./source";

/**
 * What the template functions accept: the typed content, or the bare template as the registry stores
 * it (a string is a text prompt, an array of `{ role, content }` a chat prompt).
 */
export type PromptInput = PromptContent | string | readonly ChatMessageTemplate[];

export function toContent(input: PromptInput): PromptContent {
  const candidate =
    typeof input === "string"
      ? { type: "text", template: input }
      : Array.isArray(input)
        ? { type: "chat", template: input }
        : input;
  const parsed = promptContent.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const chat = (candidate as { type?: unknown }).type === "chat";
  const issues = parsed.error.issues.map((issue) => {
    const [head, ...rest] = issue.path.map(String);
    const path = chat && head === "template" ? ["messages", ...rest].join(".") : [head, ...rest].join(".");
    return { path: path || "template", message: issue.message };
  });
  throw new DomainError("VALIDATION", `Invalid prompt: ${issues[0].path}: ${issues[0].message}`, issues);
}

/** One source per template string: the text template, or each chat message's content. */
export function toSources(content: PromptContent): Source[] {
  return content.type === "text"
    ? [rootSource(content.template, "template")]
    : content.template.map((message, index) => rootSource(message.content, `messages.${index}.content`, index));
}
