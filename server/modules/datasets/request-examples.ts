/**
 * A logged gateway request as a chat dataset example: the request's messages as they were logged (masked when
 * the project logs masked bodies), then the logged answer as the final assistant message, and
 * `metadata.request_id`. Pure. What a chat dataset cannot hold (tool messages and calls, images, audio, files, an
 * error answer, a body that was not logged) is a reason the request is refused, never dropped silently.
 */
import type { ChatMessage, DatasetExample } from "@/server/modules/datasets/core/types";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export interface LoggedRequest {
  id: string;
  status: number;
  model: string | null;
  requestBody: unknown;
  responseBody: unknown;
}

export type ExampleOrRefusal = { example: DatasetExample } | { refusal: string };

/** A message content's text, or why it cannot be used. */
function textOf(content: unknown): { text: string } | { problem: string } {
  if (typeof content === "string") return { text: content };
  if (!Array.isArray(content)) return { problem: "a message without text content" };
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === "string" && ["text", "input_text", "output_text"].includes(String(part.type)))
      texts.push(part.text);
    else if (part.type === "tool_use" || part.type === "tool_result") return { problem: "tool calls or results" };
    else return { problem: `${String(part.type ?? "non-text")} content (only text can go into a chat dataset)` };
  }
  return { text: texts.join("\n") };
}

const ROLES: Record<string, ChatMessage["role"]> = {
  system: "system",
  developer: "system",
  user: "user",
  assistant: "assistant",
};

function messagesOf(body: Json): { messages: ChatMessage[] } | { problem: string } {
  const messages: ChatMessage[] = [];
  // Anthropic keeps the system prompt beside the messages.
  if (body.system !== undefined) {
    const system = textOf(body.system);
    if ("problem" in system) return { problem: `its system prompt has ${system.problem}` };
    if (system.text) messages.push({ role: "system", content: system.text });
  }
  if (Array.isArray(body.messages)) {
    for (const [i, m] of body.messages.entries()) {
      if (!isObject(m)) return { problem: `message ${i + 1} is not an object` };
      const role = ROLES[String(m.role)];
      if (!role)
        return {
          problem: `message ${i + 1} is a ${String(m.role)} message (chat datasets hold system, user and assistant turns)`,
        };
      if (m.tool_calls !== undefined || m.function_call !== undefined)
        return { problem: `message ${i + 1} holds tool calls` };
      const text = textOf(m.content);
      if ("problem" in text) return { problem: `message ${i + 1} has ${text.problem}` };
      if (!text.text) return { problem: `message ${i + 1} is empty` };
      messages.push({ role, content: text.text });
    }
  } else if (typeof body.prompt === "string") messages.push({ role: "user", content: body.prompt });
  else
    return {
      problem: "its body has no messages or prompt (only chat, messages and completions requests can be added)",
    };
  return { messages };
}

export function exampleFromRequest(request: LoggedRequest): ExampleOrRefusal {
  if (request.requestBody == null)
    return { refusal: "its body was not logged (turn on body logging in Settings → General for new requests)" };
  if (request.status >= 400) return { refusal: `it failed (HTTP ${request.status}): there is no answer to keep` };
  if (!isObject(request.requestBody)) return { refusal: "its logged body is not a JSON object" };
  const read = messagesOf(request.requestBody);
  if ("problem" in read) return { refusal: read.problem };
  const answer = isObject(request.responseBody) ? request.responseBody : null;
  if (answer && Array.isArray(answer.toolCalls) && answer.toolCalls.length > 0)
    return { refusal: "its answer called tools (chat datasets hold text answers)" };
  const text = typeof answer?.text === "string" ? answer.text : "";
  if (!text) return { refusal: "its logged answer has no text" };
  if (!read.messages.some((m) => m.role === "user")) return { refusal: "it has no user message" };
  return {
    example: {
      messages: [...read.messages, { role: "assistant", content: text }],
      metadata: { request_id: request.id, ...(request.model ? { model: request.model } : {}) },
    },
  };
}
