import { type CountTokens, measureExample } from "@/server/modules/guardrails/tokens";
import { type DatasetIssue, issue } from "./issues";
import {
  CHAT_ROLES,
  type ChatMessage,
  type ChatRole,
  type DatasetExample,
  type DatasetFormat,
  MESSAGE_KEYS,
} from "./types";

/** OpenAI's per-example training cap (the cookbook's MAX_TOKENS_PER_EXAMPLE). */
export const DEFAULT_MAX_TOKENS_PER_EXAMPLE = 16385;

export interface RecordOptions {
  countTokens: CountTokens;
  /** Default 16385. */
  maxTokensPerExample: number;
  /** `error` (default): the example is rejected; `warning`: kept (OpenAI truncates it in training). */
  tooManyTokens: "error" | "warning";
}

export interface RecordResult {
  example?: DatasetExample;
  tokens?: number;
  assistantTokens?: number;
  errors: DatasetIssue[];
  warnings: DatasetIssue[];
}

const ROLE_SET: ReadonlySet<string> = new Set(CHAT_ROLES);
const TOP_LEVEL: Record<DatasetFormat, ReadonlySet<string>> = {
  chat: new Set(["messages", "metadata"]),
  completion: new Set(["prompt", "completion", "metadata"]),
};

/** Which format a parsed line looks like: `messages` means chat, `prompt` or `completion` means completion. */
export function shapeOf(value: unknown): DatasetFormat | undefined {
  if (!isObject(value)) return undefined;
  if ("messages" in value) return "chat";
  if ("prompt" in value || "completion" in value) return "completion";
  return undefined;
}

/** Validates one parsed line against a format; every problem is reported, not just the first. */
export function validateRecord(
  value: unknown,
  format: DatasetFormat,
  line: number,
  options: RecordOptions,
): RecordResult {
  if (!isObject(value)) {
    return { errors: [issue(line, "data_type", `expected a JSON object, got ${jsonType(value)}`)], warnings: [] };
  }
  const shape = shapeOf(value);
  if (shape !== undefined && shape !== format) {
    const what = shape === "chat" ? "a chat example ('messages')" : "a completion example ('prompt'/'completion')";
    return { errors: [issue(line, "mixed_formats", `${what} in a ${format} dataset`)], warnings: [] };
  }
  const result = format === "chat" ? validateChat(value, line) : validateCompletion(value, line);
  if (result.errors.length > 0 || !result.example) return result;
  const { messages } = result.example;
  const { tokens, assistantTokens } = measureExample(messages, options.countTokens);
  result.tokens = tokens;
  result.assistantTokens = assistantTokens;
  if (tokens > options.maxTokensPerExample) {
    const found = issue(
      line,
      "too_many_tokens",
      `example has ${tokens} tokens, over the limit of ${options.maxTokensPerExample}`,
    );
    if (options.tooManyTokens === "warning") result.warnings.push(found);
    else {
      result.errors.push(found);
      result.example = undefined;
    }
  }
  return result;
}

function validateChat(value: Record<string, unknown>, line: number): RecordResult {
  const errors: DatasetIssue[] = [];
  const unknown = Object.keys(value).filter((k) => !TOP_LEVEL.chat.has(k));
  if (unknown.length > 0) errors.push(unrecognizedKeys(line, unknown, "chat"));
  const metadata = checkMetadata(value, line, errors);
  const raw = value.messages;
  if (!Array.isArray(raw) || raw.length === 0) {
    const why =
      raw === undefined
        ? "missing 'messages' list"
        : Array.isArray(raw)
          ? "'messages' is an empty list"
          : `'messages' must be a list, got ${jsonType(raw)}`;
    errors.push(issue(line, "missing_messages_list", why, "messages"));
    return { errors, warnings: [] };
  }
  const messages: ChatMessage[] = [];
  let hasAssistant = false;
  for (let i = 0; i < raw.length; i++) {
    const message = checkMessage(raw[i], i, line, errors);
    if (message) {
      messages.push(message);
      if (message.role === "assistant") hasAssistant = true;
    } else if (isObject(raw[i]) && raw[i].role === "assistant") hasAssistant = true;
  }
  if (!hasAssistant) {
    errors.push(issue(line, "example_missing_assistant_message", "example has no assistant message", "messages"));
  }
  if (errors.length > 0) return { errors, warnings: [] };
  return { example: metadata === undefined ? { messages } : { messages, metadata }, errors, warnings: [] };
}

/** One message; pushes its problems to `errors` and returns it only when it has none. */
function checkMessage(raw: unknown, index: number, line: number, errors: DatasetIssue[]): ChatMessage | undefined {
  const n = index + 1;
  const path = `messages[${index}]`;
  if (!isObject(raw)) {
    errors.push(issue(line, "data_type", `message ${n} must be an object, got ${jsonType(raw)}`, path));
    return undefined;
  }
  const before = errors.length;
  const missing = ["role", "content"].filter((k) => !(k in raw));
  if (missing.length > 0) {
    const keys = missing.map((k) => `'${k}'`).join(" and ");
    errors.push(issue(line, "message_missing_key", `message ${n} is missing ${keys}`, path));
  }
  const unknown = Object.keys(raw).filter((k) => !MESSAGE_KEY_SET.has(k));
  if (unknown.length > 0) {
    const keys = unknown.map((k) => `'${k}'`).join(", ");
    const noun = unknown.length === 1 ? "key" : "keys";
    errors.push(issue(line, "message_unrecognized_key", `message ${n} has unrecognized ${noun} ${keys}`, path));
  }
  const { role, content, name, weight, function_call: functionCall } = raw;
  if ("role" in raw && (typeof role !== "string" || !ROLE_SET.has(role))) {
    const shown = typeof role === "string" ? `'${role}'` : jsonType(role);
    errors.push(
      issue(
        line,
        "unrecognized_role",
        `message ${n} has unrecognized role ${shown} (expected one of ${CHAT_ROLES.join(", ")})`,
        `${path}.role`,
      ),
    );
  }
  if (isObject(functionCall) && tooDeep(functionCall)) {
    errors.push(
      issue(
        line,
        "data_type",
        `message ${n}: 'function_call' is nested deeper than ${MAX_NESTING} levels`,
        `${path}.function_call`,
      ),
    );
  } else if (functionCall !== undefined && !isObject(functionCall)) {
    errors.push(
      issue(
        line,
        "data_type",
        `message ${n}: 'function_call' must be an object, got ${jsonType(functionCall)}`,
        `${path}.function_call`,
      ),
    );
  }
  // The cookbook's rule: content must be a string, and non-empty unless there is a function_call.
  if ("content" in raw) {
    if (typeof content !== "string") {
      errors.push(
        issue(
          line,
          "missing_content",
          `message ${n} content must be a string, got ${jsonType(content)}`,
          `${path}.content`,
        ),
      );
    } else if (content.length === 0 && functionCall === undefined) {
      errors.push(issue(line, "missing_content", `message ${n} has empty content`, `${path}.content`));
    }
  }
  if (name !== undefined && typeof name !== "string") {
    errors.push(
      issue(line, "data_type", `message ${n}: 'name' must be a string, got ${jsonType(name)}`, `${path}.name`),
    );
  }
  if (weight !== undefined) {
    if (weight !== 0 && weight !== 1) {
      const shown = typeof weight === "number" ? String(weight) : jsonType(weight);
      errors.push(issue(line, "invalid_weight", `message ${n} has weight ${shown} (must be 0 or 1)`, `${path}.weight`));
    } else if (role !== "assistant") {
      errors.push(
        issue(line, "invalid_weight", `message ${n} has a weight but only assistant messages may`, `${path}.weight`),
      );
    }
  }
  if (errors.length > before) return undefined;
  const message: ChatMessage = { role: role as ChatRole, content: content as string };
  if (name !== undefined) message.name = name as string;
  if (weight !== undefined) message.weight = weight as 0 | 1;
  if (functionCall !== undefined) message.function_call = functionCall as Record<string, unknown>;
  return message;
}

const MESSAGE_KEY_SET: ReadonlySet<string> = new Set(MESSAGE_KEYS);

function validateCompletion(value: Record<string, unknown>, line: number): RecordResult {
  const errors: DatasetIssue[] = [];
  const unknown = Object.keys(value).filter((k) => !TOP_LEVEL.completion.has(k));
  if (unknown.length > 0) errors.push(unrecognizedKeys(line, unknown, "completion"));
  const metadata = checkMetadata(value, line, errors);
  const missing = ["prompt", "completion"].filter((k) => !(k in value));
  if (missing.length > 0) {
    const keys = missing.map((k) => `'${k}'`).join(" and ");
    errors.push(issue(line, "prompt_completion_missing_key", `missing ${keys}`));
  }
  for (const key of ["prompt", "completion"] as const) {
    if (!(key in value)) continue;
    const text = value[key];
    // Both become chat messages, so they follow the chat content rule (non-empty string).
    if (typeof text !== "string") {
      errors.push(issue(line, "missing_content", `'${key}' must be a string, got ${jsonType(text)}`, key));
    } else if (text.length === 0) {
      errors.push(issue(line, "missing_content", `'${key}' is empty`, key));
    }
  }
  if (errors.length > 0) return { errors, warnings: [] };
  const messages: ChatMessage[] = [
    { role: "user", content: value.prompt as string },
    { role: "assistant", content: value.completion as string },
  ];
  return { example: metadata === undefined ? { messages } : { messages, metadata }, errors, warnings: [] };
}

function checkMetadata(
  value: Record<string, unknown>,
  line: number,
  errors: DatasetIssue[],
): Record<string, unknown> | undefined {
  if (!("metadata" in value)) return undefined;
  const metadata = value.metadata;
  if (isObject(metadata)) {
    if (!tooDeep(metadata)) return metadata;
    errors.push(issue(line, "data_type", `'metadata' is nested deeper than ${MAX_NESTING} levels`, "metadata"));
    return undefined;
  }
  errors.push(issue(line, "data_type", `'metadata' must be an object, got ${jsonType(metadata)}`, "metadata"));
  return undefined;
}

function unrecognizedKeys(line: number, keys: string[], format: DatasetFormat): DatasetIssue {
  const allowed = [...TOP_LEVEL[format]].map((k) => `'${k}'`).join(", ");
  const list = keys.map((k) => `'${k}'`).join(", ");
  const noun = keys.length === 1 ? "key" : "keys";
  return issue(line, "unrecognized_key", `unrecognized top-level ${noun} ${list} (a ${format} line has ${allowed})`);
}

/**
 * Free-form values (metadata, function_call) may nest at most this deep:
 * canonical JSON and JSON.stringify recurse, and a 1 MiB line of `[[[[…`
 * would otherwise overflow the stack.
 */
const MAX_NESTING = 64;

function tooDeep(root: unknown): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > MAX_NESTING) return true;
    if (value !== null && typeof value === "object") {
      for (const child of Object.values(value))
        if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON type name of a parsed value, for messages. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value === undefined) return "nothing";
  return typeof value === "object" ? "object" : typeof value;
}
