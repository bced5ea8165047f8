/**
 * Where each field of the translated Chat Completions body came from in the Anthropic request, so that a refusal
 * from the chat pipeline (a local model cannot honour `messages.3.role`) names the field the client sent
 * (`messages.2.content.0`): indices shift where a system prompt leads or tool results become their own messages.
 */
import { DomainError, toDomainError } from "@/server/errors";

interface MessageOrigin {
  /** The Anthropic path of what became this chat message: `system`, `messages.2`, or a tool_result block's. */
  at: string;
  /** Whether it is a tool_result block (a `tool` message), whose `role` the client never wrote. */
  toolResult?: boolean;
  /** The Anthropic path of each content part, in order. */
  parts: string[];
  /** The Anthropic paths of the tool_use blocks behind `tool_calls`. */
  calls: string[];
}

/** Top-level Chat Completions fields that the translation renamed. */
const RENAMED: Record<string, string> = {
  response_format: "output_config.format",
  stop: "stop_sequences",
  user: "metadata.user_id",
  parallel_tool_calls: "tool_choice.disable_parallel_tool_use",
};

const MESSAGE_PATH = /^messages\.(\d+)(?:\.(role|tool_calls|content)(?:\.(\d+))?)?(.*)$/;

export class FieldMap {
  readonly messages: MessageOrigin[] = [];

  /** The Anthropic request's path for a path in the translated body (unchanged where nothing was renamed). */
  anthropicPath(chatPath: string): string {
    const match = MESSAGE_PATH.exec(chatPath);
    if (!match) {
      const [head, ...rest] = chatPath.split(".");
      return RENAMED[head] ? [RENAMED[head], ...rest].join(".") : chatPath;
    }
    const [, index, field, part, rest] = match;
    const origin = this.messages[Number(index)];
    if (!origin) return chatPath;
    if (field === "role") return origin.toolResult ? origin.at : `${origin.at}.role${rest}`;
    if (field === "tool_calls") return origin.calls[0] ?? origin.at;
    if (field === "content" && part !== undefined)
      return `${origin.parts[Number(part)] ?? `${origin.at}.content`}${rest}`;
    // A system prompt's content is `system` itself.
    if (field === "content") return origin.at === "system" ? `system${rest}` : `${origin.at}.content${rest}`;
    return `${origin.at}${rest}`;
  }

  /** `error` with the field it names renamed as the client sent it (other errors as they are). */
  renamed(error: unknown): unknown {
    const domain = toDomainError(error);
    const path = domain?.issues[0]?.path;
    if (!domain || !path) return error;
    const renamed = this.anthropicPath(path);
    if (renamed === path) return domain;
    const message = domain.message.replace(`${path}:`, `${renamed}:`).replaceAll(`'${path}'`, `'${renamed}'`);
    const issues = domain.issues.map((issue) => ({ path: this.anthropicPath(issue.path), message: issue.message }));
    return new DomainError(domain.code, message, issues);
  }
}
