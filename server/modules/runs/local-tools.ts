import { randomUUID } from "node:crypto";
import { DomainError } from "@/server/errors";
import {
  detectToolFormat,
  type ParsedToolCall,
  ToolCallParser,
} from "@/server/modules/inference/structured/tool-format";
import type { GenerationEvent, GenerationStats } from "@/server/modules/inference/types";
import type { EngineEvent } from "./upstream";

// What the gateway needs from the engine to check a local request before anything runs (it imports runs, not
// inference): the spec check (a schema keyword we cannot enforce is a 400) and whether a template takes tools.
export type { StructuredOutputSpec } from "@/server/modules/inference/constraint";
export { compileSpec as checkStructuredOutput } from "@/server/modules/inference/structured";
export type { ChatMessage, ChatTool } from "@/server/modules/inference/types";
export const templateTakesTools = (template: string | null) => detectToolFormat(template) !== null;

const callId = () => `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;

/**
 * A local model's output as OpenAI tool calls: text goes on as text events; each call (in the template's
 * convention) becomes two chunk deltas, `{index, id, type, function: {name, arguments: ""}}` then the arguments,
 * and the done event finishes `tool_calls` with the whole answer (`response`) for a non-streamed reply. The
 * gateway handles these events as it does an upstream's (log tool_names, output guards, SSE chunks).
 */
export async function* withToolCalls(
  events: AsyncGenerator<GenerationEvent>,
  chatTemplate: string | null,
): AsyncGenerator<EngineEvent> {
  const format = detectToolFormat(chatTemplate);
  if (!format) {
    await events.return(undefined);
    throw new DomainError("VALIDATION", "tools: this model's chat template has no tool-call convention we read", [
      { path: "tools", message: "The model's chat template has no tool calling" },
    ]);
  }
  const parser = new ToolCallParser(format);
  const calls: (ParsedToolCall & { id: string })[] = [];
  let text = "";
  let opened = false;
  function* emit(piece: string, found: ParsedToolCall[]): Generator<EngineEvent> {
    if (piece) {
      opened = true;
      text += piece;
      yield { type: "text", text: piece };
    }
    for (const call of found) {
      const index = calls.length;
      const id = callId();
      calls.push({ ...call, id });
      const head = { index, id, type: "function", function: { name: call.name, arguments: "" } };
      const first = opened ? { tool_calls: [head] } : { role: "assistant", content: null, tool_calls: [head] };
      opened = true;
      yield { type: "text", text: "", toolCall: true, chunk: deltaChunk(first) };
      const args = { tool_calls: [{ index, function: { arguments: call.arguments } }] };
      yield { type: "text", text: "", toolCall: true, chunk: deltaChunk(args) };
    }
  }
  for await (const event of events) {
    if (event.type === "delta") {
      const { text: piece, calls: found } = parser.push(event.text);
      yield* emit(piece, found);
      continue;
    }
    yield* emit(parser.flush(), []);
    const done = doneEvent(event.stats);
    if (calls.length === 0) {
      yield done;
      return;
    }
    const toolCalls = calls.map(({ id, name, arguments: args }) => ({
      id,
      type: "function",
      function: { name, arguments: args },
    }));
    const usage = {
      prompt_tokens: done.tokensIn,
      completion_tokens: done.tokensOut,
      total_tokens: done.tokensIn + done.tokensOut,
    };
    const response = {
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: text || null, tool_calls: toolCalls },
          finish_reason: "tool_calls",
        },
      ],
      usage,
    };
    yield { ...done, finishReason: "tool_calls", response };
  }
}

function deltaChunk(delta: Record<string, unknown>): Record<string, unknown> {
  return { choices: [{ index: 0, delta, finish_reason: null }] };
}

export function doneEvent(stats: GenerationStats): Extract<EngineEvent, { type: "done" }> {
  return {
    type: "done",
    device: stats.device,
    ttftMs: stats.ttftMs,
    tokensIn: stats.tokensIn,
    tokensOut: stats.tokensOut,
    durationMs: stats.totalMs,
    finishReason: stats.finishReason,
    tpotMs: stats.tpotMs,
    tokensPerSecond: stats.tokensPerSecond,
  };
}
