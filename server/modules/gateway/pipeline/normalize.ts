/** Normalize and ground: the input steps that change text without judging it. */

import type { PipelineConfig } from "@/lib/routes/config";
import type { GenerationInput } from "@/server/modules/runs/schemas";

type Message = { role: "system" | "user" | "assistant"; content: string };
type NormalizeConfig = NonNullable<PipelineConfig["normalize"]>;
type GroundingConfig = NonNullable<PipelineConfig["grounding"]>;

/** Three or more line breaks (with only spaces between) become one blank line. */
const BLANK_LINES = /\n[ \t]*\n(?:[ \t]*\n)+/g;

function normalizeText(text: string, config: NormalizeConfig, keepTrailing: boolean): string {
  let out = config.unicodeNfc ? text.normalize("NFC") : text;
  if (config.trimWhitespace) {
    out = out.replace(BLANK_LINES, "\n\n");
    out = keepTrailing ? out.trimStart() : out.trim();
  }
  return out;
}

/**
 * Trims each message and collapses runs of blank lines, applies Unicode NFC,
 * and (optionally) merges every system message into one, first. A raw
 * completion prompt keeps its trailing whitespace: completion models continue
 * from exactly there.
 */
export function normalizeInput(input: GenerationInput, config: NormalizeConfig): GenerationInput {
  if ("prompt" in input) return { prompt: normalizeText(input.prompt, config, true) };
  let messages: Message[] = input.messages.map((m) => ({ ...m, content: normalizeText(m.content, config, false) }));
  if (config.mergeSystemMessages) {
    const system = messages.filter((m) => m.role === "system");
    if (system.length > 1) {
      const merged: Message = {
        role: "system",
        content: system
          .map((m) => m.content)
          .filter(Boolean)
          .join("\n\n"),
      };
      messages = [merged, ...messages.filter((m) => m.role !== "system")];
    }
  }
  return { messages };
}

/**
 * Keeps the last `maxHistoryMessages` non-system messages (the conversation
 * history the caller carries); system messages stay wherever they are.
 */
export function trimHistory(input: GenerationInput, config: GroundingConfig): GenerationInput {
  const max = config.maxHistoryMessages;
  if ("prompt" in input || max === undefined) return input;
  let turns = input.messages.filter((m) => m.role !== "system").length;
  if (turns <= max) return input;
  const messages = input.messages.filter((m) => {
    if (m.role === "system") return true;
    if (turns > max) {
      turns--;
      return false;
    }
    return true;
  });
  return { messages };
}

/**
 * Prepends the route's system context: into the first message when that is a
 * system message (context first, blank line, then the caller's), else as a new
 * system message; before a raw prompt, followed by a blank line.
 */
export function addContext(input: GenerationInput, config: GroundingConfig): GenerationInput {
  const context = config.systemContext;
  if (!context) return input;
  if ("prompt" in input) return { prompt: `${context}\n\n${input.prompt}` };
  const [first, ...rest] = input.messages;
  if (first?.role === "system")
    return { messages: [{ role: "system", content: `${context}\n\n${first.content}` }, ...rest] };
  return { messages: [{ role: "system", content: context }, ...input.messages] };
}
