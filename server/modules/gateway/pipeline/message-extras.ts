/**
 * What a pass-through chat message carries beside the text the engine reads: its text parts one by one and its
 * tool calls' arguments. The input guards check and mask them, the token limit counts them, and `passthrough.ts`
 * writes what the guards changed back into the message the upstream gets.
 */

/** On an engine message built from a client message (survives the pipeline's `{...m}` copies). */
export const EXTRAS = Symbol("switchyard.extras");

export interface MessageExtras {
  /** The content's text parts, when there are several (the engine message's content is their join). */
  parts?: string[];
  /** Each `tool_calls[i].function.arguments`, then a legacy `function_call.arguments`: JSON text (null: not a string). */
  args?: (string | null)[];
}

export type WithExtras = { [EXTRAS]?: MessageExtras };

type CallLike = { function?: { arguments?: unknown } } | null | undefined;

/** The extras of a client's message as sent, or undefined for a plain one (string content, no calls): no work. */
export function extrasOf(source: Record<string, unknown>): MessageExtras | undefined {
  const calls = source.tool_calls;
  const legacy = source.function_call as { arguments?: unknown } | null | undefined;
  const content = source.content;
  if (!Array.isArray(content) && !Array.isArray(calls) && !legacy) return undefined;
  let args: (string | null)[] | undefined;
  if (Array.isArray(calls)) args = calls.map((call: CallLike) => argumentsOf(call?.function?.arguments));
  if (legacy && typeof legacy === "object") args = [...(args ?? []), argumentsOf(legacy.arguments)];
  let parts: string[] | undefined;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content as { type?: unknown; text?: unknown }[])
      if (part?.type === "text" && typeof part.text === "string") texts.push(part.text);
    if (texts.length > 1) parts = texts;
  }
  if (!args && !parts) return undefined;
  const extras: MessageExtras = {};
  if (args) extras.args = args;
  if (parts) extras.parts = parts;
  return extras;
}

const argumentsOf = (value: unknown) => (typeof value === "string" ? value : null);
