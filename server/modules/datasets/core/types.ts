/** The message roles OpenAI's chat fine-tuning format accepts (the cookbook's list). */
export const CHAT_ROLES = ["system", "user", "assistant", "function"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

/** The keys a message may carry (the cookbook's list); anything else is `message_unrecognized_key`. */
export const MESSAGE_KEYS = ["role", "content", "name", "function_call", "weight"] as const;

/** One chat message as OpenAI fine-tuning takes it. `weight` (0 or 1) is only allowed on assistant messages. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
  weight?: 0 | 1;
  /** Legacy function calling: a JSON object, kept as given. */
  function_call?: Record<string, unknown>;
}

/**
 * A valid example, always in chat form (a completion-format line becomes
 * `user` = prompt, `assistant` = completion). `metadata` is optional
 * annotation (source, tenant, language, ...) used by k-anonymity reports and
 * filters; it is not training content and is not part of the example hash.
 */
export interface DatasetExample {
  messages: ChatMessage[];
  metadata?: Record<string, unknown>;
}

/** `chat`: `{"messages": [...]}`. `completion`: `{"prompt": "...", "completion": "..."}`. */
export type DatasetFormat = "chat" | "completion";

/** Where examples come from in the streaming transforms: arrays, generators, database cursors. */
export type ExampleSource<T> = Iterable<T> | AsyncIterable<T>;

export { PII_KINDS, type PiiKind } from "@/server/modules/guardrails/pii-detect";
