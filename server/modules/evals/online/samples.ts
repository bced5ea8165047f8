// A sampled request as the `eval.online` job carries it. Bodies are copied out of the request here and capped:
// with body logging off they live only in the job's payload, which the job drops once they are scored.
import { z } from "zod";
import type { ObservedBodies } from "@/server/modules/gateway/observers";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import type { ChatMessage } from "../types";

/** At most this many characters of the input messages (as JSON) and of the answer. */
export const SIDE_CAP_CHARS = 32 * 1024;

export const onlineSampleSchema = z.object({
  ruleId: z.uuid(),
  requestId: z.uuid(),
  requestStartedAt: z.iso.datetime(),
  modelVersionId: z.uuid().nullable(),
  promptVersionId: z.uuid().nullable(),
  /** Null once scored (the payload keeps no bodies after scoring). */
  messages: z.array(z.object({ role: z.string(), content: z.unknown() }).passthrough()).nullable(),
  output: z.string().nullable(),
});
export type OnlineSample = z.infer<typeof onlineSampleSchema>;

/** The input messages and answer text of a finished request; null when it has no text answer to score. */
export function sampleBodies(bodies: ObservedBodies): { messages: ChatMessage[]; output: string } | null {
  const output = answerOf(bodies.response);
  if (output === null) return null;
  return { messages: capMessages(messagesOf(bodies.request)), output: output.slice(0, SIDE_CAP_CHARS) };
}

export function toSample(
  ruleId: string,
  entry: RequestLogEntry,
  bodies: { messages: ChatMessage[]; output: string },
): OnlineSample {
  return {
    ruleId,
    requestId: entry.id,
    requestStartedAt: entry.startedAt.toISOString(),
    modelVersionId: entry.modelVersionId,
    promptVersionId: entry.promptVersionId,
    messages: bodies.messages,
    output: bodies.output,
  };
}

function answerOf(response: unknown): string | null {
  const body = response as { text?: unknown; toolCalls?: unknown } | null;
  if (!body || typeof body !== "object") return null;
  if (typeof body.text === "string" && body.text !== "") return body.text;
  if (body.toolCalls) return JSON.stringify(body.toolCalls);
  return typeof body.text === "string" ? body.text : null;
}

function messagesOf(request: unknown): ChatMessage[] {
  const body = request as { messages?: unknown; prompt?: unknown } | null;
  if (!body || typeof body !== "object") return [];
  if (Array.isArray(body.messages))
    return body.messages.filter((m): m is ChatMessage => typeof m === "object" && m !== null && "role" in m);
  if (typeof body.prompt === "string") return [{ role: "user", content: body.prompt }];
  if (Array.isArray(body.prompt)) return [{ role: "user", content: body.prompt.map(String).join("\n") }];
  return [];
}

/** Keeps the newest messages that fit the cap; a last message alone over it keeps its text's beginning. */
function capMessages(messages: ChatMessage[]): ChatMessage[] {
  const kept: ChatMessage[] = [];
  let size = 2;
  for (let i = messages.length - 1; i >= 0; i--) {
    const length = JSON.stringify(messages[i]).length + 1;
    if (size + length > SIDE_CAP_CHARS) {
      if (kept.length === 0) kept.push(shortened(messages[i], SIDE_CAP_CHARS - 200));
      break;
    }
    size += length;
    kept.unshift(messages[i]);
  }
  return kept;
}

function shortened(message: ChatMessage, chars: number): ChatMessage {
  const text = typeof message.content === "string" ? message.content : JSON.stringify(message.content);
  return { role: message.role, content: text.slice(0, chars) };
}
