import { randomUUID } from "node:crypto";
import { DomainError } from "@/server/errors";
import {
  detectToolFormat,
  type ParsedToolCall,
  ToolCallParser,
  type ToolCallPiece,
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
 * convention) becomes chunk deltas, `{index, id, type, function: {name, arguments: ""}}` then argument fragments
 * as the model writes them (a call cut by max_tokens keeps what was written, finishing `length`),
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
  const toolChunk = (delta: Record<string, unknown>): EngineEvent => {
    const first = !opened;
    opened = true;
    return {
      type: "text",
      text: "",
      toolCall: true,
      chunk: deltaChunk(first ? { role: "assistant", ...delta } : delta),
    };
  };
  const open = (name: string) => {
    const index = calls.length;
    const id = callId();
    calls.push({ name, arguments: "", id });
    return toolChunk({ tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }] });
  };
  const args = (fragment: string) => {
    calls[calls.length - 1].arguments += fragment;
    return toolChunk({ tool_calls: [{ index: calls.length - 1, function: { arguments: fragment } }] });
  };
  function* emit(pieces: ToolCallPiece[]): Generator<EngineEvent> {
    for (const piece of pieces) {
      if (piece.kind === "text") {
        opened = true;
        text += piece.text;
        yield { type: "text", text: piece.text };
      } else if (piece.kind === "open") yield open(piece.name);
      else if (piece.kind === "args") yield args(piece.text);
      else if (!piece.streamed) {
        yield open(piece.call.name);
        yield args(piece.call.arguments);
      }
    }
  }
  for await (const event of events) {
    if (event.type === "delta") {
      yield* emit(parser.push(event.text));
      continue;
    }
    const rest = parser.flush();
    if (rest) yield* emit([{ kind: "text", text: rest }]);
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
    // Cut by max_tokens inside a call: OpenAI's `length`, with the arguments written so far.
    const finishReason = done.finishReason === "length" ? "length" : "tool_calls";
    const message = { role: "assistant", content: text || null, tool_calls: toolCalls };
    const response = { choices: [{ index: 0, message, finish_reason: finishReason }], usage };
    yield { ...done, finishReason, response };
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
