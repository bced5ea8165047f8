/**
 * How a model writes a tool call, read from its chat template (the convention it was trained on):
 * - Hermes / Qwen: `<tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>`, one block per call;
 * - Llama 3.1 (JSON tool calling): the answer is `{"name": ..., "parameters": {...}}`.
 */
export interface ToolFormat {
  name: "hermes" | "llama3-json";
  /** Written before the call's JSON object, and after it. */
  prefix: string;
  suffix: string;
  /** The key holding the arguments. */
  argumentsKey: "arguments" | "parameters";
  /** Text that starts a call in free output (with tool_choice auto); part of prefix + JSON. */
  trigger: string;
}

const HERMES: ToolFormat = {
  name: "hermes",
  prefix: "<tool_call>\n",
  suffix: "\n</tool_call>",
  argumentsKey: "arguments",
  trigger: "<tool_call>",
};
const LLAMA3_JSON: ToolFormat = {
  name: "llama3-json",
  prefix: "",
  suffix: "",
  argumentsKey: "parameters",
  trigger: '{"name"',
};

/** The template's convention, or null when it does not take `tools` or uses one we do not parse. */
export function detectToolFormat(template: string | null): ToolFormat | null {
  if (!template || !/\btools\b/.test(template)) return null;
  if (template.includes("<tool_call>")) return HERMES;
  if (template.includes('"parameters"') || template.includes("<|python_tag|>") || template.includes("ipython"))
    return LLAMA3_JSON;
  return null;
}

export interface ParsedToolCall {
  name: string;
  /** The arguments as JSON text (OpenAI's `function.arguments`). */
  arguments: string;
}

/**
 * Splits streamed output into text and tool calls: text is passed on as it comes, except what may be the start
 * of a call (held back until it is or is not); a call is given whole once its JSON (and closing tag) is complete.
 * A call that never completes (cut by max_tokens) or does not parse is given back as text.
 */
export class ToolCallParser {
  private buffer = "";
  private inCall = false;
  readonly calls: ParsedToolCall[] = [];

  constructor(private readonly format: ToolFormat) {}

  /** The text that is surely not part of a call, and the calls completed by this piece. */
  push(piece: string): { text: string; calls: ParsedToolCall[] } {
    this.buffer += piece;
    let text = "";
    const calls: ParsedToolCall[] = [];
    for (;;) {
      if (!this.inCall) {
        const at = this.buffer.indexOf(this.format.trigger);
        if (at < 0) {
          const keep = partialSuffix(this.buffer, this.format.trigger);
          text += this.buffer.slice(0, this.buffer.length - keep);
          this.buffer = this.buffer.slice(this.buffer.length - keep);
          break;
        }
        text += this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at);
        this.inCall = true;
      }
      const call = this.takeCall();
      if (!call) break;
      calls.push(call);
      this.calls.push(call);
      this.inCall = false;
      // Whitespace between calls is not content.
      this.buffer = this.buffer.replace(/^\s+/, "");
    }
    // Text before the first call only: trailing whitespace before a call is dropped with it.
    return { text: this.calls.length > 0 ? text.trim() : text, calls };
  }

  /** What is left at the end: an unfinished call, or held-back text. */
  flush(): string {
    const rest = this.buffer;
    this.buffer = "";
    this.inCall = false;
    return rest;
  }

  private takeCall(): ParsedToolCall | null {
    const { prefix, suffix, argumentsKey } = this.format;
    const jsonStart = this.buffer.indexOf("{", prefix ? prefix.trimEnd().length : 0);
    if (jsonStart < 0) return null;
    const jsonEnd = objectEnd(this.buffer, jsonStart);
    if (jsonEnd < 0) return null;
    let end = jsonEnd;
    if (suffix) {
      const close = this.buffer.indexOf(suffix.trim(), jsonEnd);
      if (close < 0) return null;
      end = close + suffix.trim().length;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.buffer.slice(jsonStart, jsonEnd));
    } catch {
      parsed = null;
    }
    const object = parsed as { name?: unknown; [key: string]: unknown } | null;
    const args = object?.[argumentsKey] ?? object?.arguments ?? object?.parameters ?? {};
    if (!object || typeof object.name !== "string" || typeof args !== "object") {
      // Not a call after all: it is text (taken by flush()).
      return null;
    }
    this.buffer = this.buffer.slice(end);
    return { name: object.name, arguments: JSON.stringify(args) };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `word`. */
function partialSuffix(text: string, word: string): number {
  for (let n = Math.min(word.length - 1, text.length); n > 0; n--) if (text.endsWith(word.slice(0, n))) return n;
  return 0;
}

/** Index just past the JSON object starting at `start`, or -1 while it is unfinished. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
