/** The engine input from the caller's body and the managed prompt (if any): messages, or a text prompt. */
import { DomainError } from "@/server/errors";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import { SOURCE } from "./passthrough";
import { EXTRAS, extrasOf } from "./pipeline-hooks";
import { type ChatCompletionBody, type CompletionBody, toEngineMessages } from "./schemas";
import type { ServeTarget } from "./target";

/**
 * The engine's messages. With `sources` (the client's messages as sent, for a pass-through upstream) each one
 * remembers its source, so the upstream gets it back whole, with only its text changed by any input step, and
 * carries its text parts and tool calls' arguments for the input guards (`EXTRAS`).
 */
export function chatInput(body: ChatCompletionBody, target: ServeTarget, sources?: unknown[]): GenerationInput {
  const caller = toEngineMessages(body.messages);
  if (sources)
    for (let i = 0; i < caller.length; i++) {
      const source = sources[i] as Record<string, unknown>;
      const extras = extrasOf(source);
      Object.assign(caller[i], extras ? { [SOURCE]: source, [EXTRAS]: extras } : { [SOURCE]: source });
    }
  const prompt = target.prompt;
  const fromPrompt = !prompt
    ? []
    : prompt.messages
      ? prompt.messages
      : [{ role: "user" as const, content: prompt.text ?? "" }];
  const messages = [...fromPrompt, ...caller];
  if (messages.length === 0) throw emptyMessages();
  return { messages };
}

/** Only managed prompts (directly or through an experiment) may leave `messages` empty. */
export const takesMessagesFromPrompt = (model: string) =>
  model.startsWith("prompt:") || model.startsWith("experiment:");

export const emptyMessages = () =>
  new DomainError("VALIDATION", "messages: add at least one message", [
    { path: "messages", message: "Add at least one message" },
  ]);

export function textInput(body: CompletionBody, target: ServeTarget): GenerationInput {
  const caller = typeof body.prompt === "string" ? body.prompt : (body.prompt?.[0] ?? "");
  const prompt = target.prompt;
  if (prompt?.type === "chat")
    throw new DomainError("VALIDATION", `Prompt '${prompt.name}' is a chat prompt: call /v1/chat/completions with it`, [
      { path: "model", message: "A chat prompt cannot serve /v1/completions" },
    ]);
  const text = `${prompt?.text ?? ""}${caller}`;
  if (!text) throw new DomainError("VALIDATION", "prompt is required", [{ path: "prompt", message: "Required" }]);
  return { prompt: text };
}
