/**
 * A logged request and answer as a readable conversation, for the request explorer: messages by role, text, a
 * marker for each image, audio or file part (never its base64), assistant tool calls with their arguments
 * pretty-printed, and tool results tied to the call they answer. Reads Chat Completions bodies (what the gateway
 * logs for /v1/chat/completions) and Anthropic Messages bodies (/v1/messages); anything else yields null and the
 * explorer shows the raw JSON. Pure and browser-safe.
 */

export type ConversationPart = { kind: "text"; text: string } | { kind: "media"; media: string; label: string };

export interface ConversationToolCall {
  id: string | null;
  name: string;
  /** Pretty-printed when the arguments are JSON, else as sent. */
  arguments: string;
}

export interface ConversationMessage {
  role: string;
  parts: ConversationPart[];
  toolCalls: ConversationToolCall[];
  /** A tool result: the call it answers, and that call's tool when the conversation shows it. */
  toolCallId?: string;
  toolName?: string;
}

export interface Conversation {
  /** Names of the tools the request offered. */
  tools: string[];
  messages: ConversationMessage[];
  answer: { text: string; finishReason: string | null; toolCalls: ConversationToolCall[] } | null;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown) => (typeof value === "string" ? value : null);

/** JSON arguments indented; anything else (a fragment cut off, plain text) as it came. */
export function prettyArguments(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value ?? {}, null, 2);
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}

const kb = (chars: number) => `${Math.max(1, Math.round((chars * 3) / 4 / 1024))} KB`;

/** `data:image/png;base64,…` as `image/png, 12 KB`; a URL as itself, shortened. */
function describeSource(url: string): string {
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    const mime = url.slice(5, comma > 0 ? comma : 40).split(";")[0] || "data";
    return `${mime}, ${kb(url.length - comma - 1)} inline`;
  }
  return url.length > 80 ? `${url.slice(0, 77)}…` : url;
}

function chatPart(part: unknown): ConversationPart | null {
  if (!isObject(part)) return null;
  switch (part.type) {
    case "text":
    case "input_text":
    case "refusal":
      return { kind: "text", text: str(part.text) ?? str(part.refusal) ?? "" };
    case "image_url": {
      const url = isObject(part.image_url) ? str(part.image_url.url) : str(part.image_url);
      return { kind: "media", media: "image", label: url ? describeSource(url) : "image" };
    }
    case "input_audio": {
      const audio = isObject(part.input_audio) ? part.input_audio : {};
      const data = str(audio.data);
      return {
        kind: "media",
        media: "audio",
        label: `${str(audio.format) ?? "audio"}${data ? `, ${kb(data.length)}` : ""}`,
      };
    }
    case "file": {
      const file = isObject(part.file) ? part.file : {};
      return { kind: "media", media: "file", label: str(file.filename) ?? str(file.file_id) ?? "inline file" };
    }
    case "image":
    case "document": {
      // Anthropic: { source: { type: base64, media_type, data } | { type: url, url } }
      const source = isObject(part.source) ? part.source : {};
      const data = str(source.data);
      const label =
        str(source.url) ?? `${str(source.media_type) ?? part.type}${data ? `, ${kb(data.length)} inline` : ""}`;
      return { kind: "media", media: part.type === "image" ? "image" : "file", label };
    }
    default:
      return { kind: "media", media: String(part.type ?? "part"), label: "not shown" };
  }
}

function toolCallsOf(message: Json): ConversationToolCall[] {
  const calls: ConversationToolCall[] = [];
  if (Array.isArray(message.tool_calls))
    for (const call of message.tool_calls) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      calls.push({ id: str(call.id), name: str(fn.name) ?? "?", arguments: prettyArguments(fn.arguments) });
    }
  if (isObject(message.function_call)) {
    const fn = message.function_call;
    calls.push({ id: null, name: str(fn.name) ?? "?", arguments: prettyArguments(fn.arguments) });
  }
  return calls;
}

/** One request message as one or more conversation messages (an Anthropic turn may hold several tool results). */
function messagesOf(message: Json, toolNames: Map<string, string>): ConversationMessage[] {
  const role = str(message.role) ?? "?";
  const out: ConversationMessage = { role, parts: [], toolCalls: toolCallsOf(message) };
  const results: ConversationMessage[] = [];
  const content = message.content;
  if (typeof content === "string") out.parts.push({ kind: "text", text: content });
  else if (Array.isArray(content))
    for (const block of content) {
      if (isObject(block) && block.type === "tool_use") {
        out.toolCalls.push({
          id: str(block.id),
          name: str(block.name) ?? "?",
          arguments: prettyArguments(block.input),
        });
      } else if (isObject(block) && block.type === "tool_result") {
        const id = str(block.tool_use_id) ?? "";
        const inner = typeof block.content === "string" ? [{ type: "text", text: block.content }] : block.content;
        const parts = Array.isArray(inner) ? inner.map(chatPart).filter((p) => p !== null) : [];
        results.push({ role: "tool", parts, toolCalls: [], toolCallId: id, toolName: toolNames.get(id) });
      } else {
        const part = chatPart(block);
        if (part) out.parts.push(part);
      }
    }
  const callId = str(message.tool_call_id);
  if (callId) {
    out.toolCallId = callId;
    out.toolName = toolNames.get(callId) ?? str(message.name) ?? undefined;
  } else if (role === "function") out.toolName = str(message.name) ?? undefined;
  for (const call of out.toolCalls) if (call.id) toolNames.set(call.id, call.name);
  return out.parts.length > 0 || out.toolCalls.length > 0 || results.length === 0 ? [out, ...results] : results;
}

function offeredTools(body: Json): string[] {
  const tools = Array.isArray(body.tools) ? body.tools : Array.isArray(body.functions) ? body.functions : [];
  return tools
    .map((tool) =>
      isObject(tool) ? (str(isObject(tool.function) ? tool.function.name : null) ?? str(tool.name)) : null,
    )
    .filter((name): name is string => name !== null);
}

function answerOf(response: unknown): Conversation["answer"] {
  if (!isObject(response)) return null;
  const calls = Array.isArray(response.toolCalls)
    ? response.toolCalls.filter(isObject).map((call) => ({
        id: str(call.id),
        name: str(call.name) ?? "?",
        arguments: prettyArguments(call.arguments),
      }))
    : [];
  const text = str(response.text);
  if (text === null && calls.length === 0) return null;
  return { text: text ?? "", finishReason: str(response.finishReason), toolCalls: calls };
}

export function conversationOf(requestBody: unknown, responseBody: unknown): Conversation | null {
  if (!isObject(requestBody)) return null;
  const toolNames = new Map<string, string>();
  const messages: ConversationMessage[] = [];
  // Anthropic keeps the system prompt beside the messages.
  const system = requestBody.system;
  if (typeof system === "string")
    messages.push({ role: "system", parts: [{ kind: "text", text: system }], toolCalls: [] });
  else if (Array.isArray(system))
    messages.push({ role: "system", parts: system.map(chatPart).filter((p) => p !== null), toolCalls: [] });
  if (Array.isArray(requestBody.messages)) {
    for (const message of requestBody.messages) if (isObject(message)) messages.push(...messagesOf(message, toolNames));
  } else if (typeof requestBody.prompt === "string") {
    messages.push({ role: "prompt", parts: [{ kind: "text", text: requestBody.prompt }], toolCalls: [] });
  } else return null;
  return { tools: offeredTools(requestBody), messages, answer: answerOf(responseBody) };
}

/**
 * A body as indented JSON with inline data (data URLs, long base64 strings) replaced by a note of its size, so the
 * raw view stays readable.
 */
export function readableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (typeof v !== "string" || v.length < 256) return v;
      if (v.startsWith("data:"))
        return `${v.slice(0, Math.max(v.indexOf(",") + 1, 0) || 30)}… (${kb(v.length)} not shown)`;
      if (/^[A-Za-z0-9+/=\s]+$/.test(v.slice(0, 256)) && !/\s/.test(v.slice(0, 64)))
        return `<base64, ${kb(v.length)} not shown>`;
      return v;
    },
    2,
  );
}
