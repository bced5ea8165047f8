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
  /** Written between calls of one answer; null: the format has one call per answer. */
  separator: string | null;
}

const HERMES: ToolFormat = {
  name: "hermes",
  prefix: "<tool_call>\n",
  suffix: "\n</tool_call>",
  argumentsKey: "arguments",
  trigger: "<tool_call>",
  // Qwen's and Hermes' templates render an answer's calls as blocks on consecutive lines.
  separator: "\n",
};
const LLAMA3_JSON: ToolFormat = {
  name: "llama3-json",
  prefix: "",
  suffix: "",
  argumentsKey: "parameters",
  trigger: '{"name"',
  // Llama 3.1's JSON tool calling has one call per assistant turn.
  separator: null,
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
 * What a piece of output holds, in order: text; a call opening (its name known); a fragment of its arguments;
 * a call complete (`streamed` false when its name came too late to stream it: send it whole).
 */
export type ToolCallPiece =
  | { kind: "text"; text: string }
  | { kind: "open"; name: string }
  | { kind: "args"; text: string }
  | { kind: "close"; call: ParsedToolCall; streamed: boolean };

/** `{"name":"…","arguments":` at the start of a call's JSON (any whitespace): the name is known, arguments follow. */
const CALL_HEAD = /^\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"(?:arguments|parameters)"\s*:\s*(?=\{)/;

/**
 * Splits streamed output into text and tool calls: text is passed on as it comes, except what may be the start
 * of a call (held back until it is or is not); a call's arguments stream as they come once its name is known
 * (name first, as the constrained output writes it), else the call is given whole when complete. A call that
 * never completes (cut by max_tokens) or does not parse is given back as text by `flush()`.
 */
export class ToolCallParser {
  private buffer = "";
  private inCall = false;
  /** The call being streamed: where its arguments start in the buffer, and how much of them was given. */
  private args: { start: number; sent: number } | null = null;
  readonly calls: ParsedToolCall[] = [];

  constructor(private readonly format: ToolFormat) {}

  push(piece: string): ToolCallPiece[] {
    this.buffer += piece;
    const out: ToolCallPiece[] = [];
    for (;;) {
      if (!this.inCall) {
        const at = this.buffer.indexOf(this.format.trigger);
        const upTo = at >= 0 ? at : this.buffer.length - partialSuffix(this.buffer, this.format.trigger);
        if (upTo > 0) out.push({ kind: "text", text: this.buffer.slice(0, upTo) });
        this.buffer = this.buffer.slice(upTo);
        if (at < 0) break;
        this.inCall = true;
      }
      if (!this.takeCall(out)) break;
      this.inCall = false;
      this.args = null;
      // Whitespace between calls is not content.
      this.buffer = this.buffer.replace(/^\s+/, "");
    }
    return out;
  }

  /** What is left at the end: an unfinished call, or held-back text (a streamed call's arguments already went). */
  flush(): string {
    const rest = this.args ? "" : this.buffer;
    this.buffer = "";
    this.inCall = false;
    this.args = null;
    return rest;
  }

  /** Streams the current call's arguments; true once the call is complete (and taken from the buffer). */
  private takeCall(out: ToolCallPiece[]): boolean {
    const { prefix, suffix, argumentsKey } = this.format;
    const jsonStart = this.buffer.indexOf("{", prefix ? prefix.trimEnd().length : 0);
    if (jsonStart < 0) return false;
    if (!this.args) {
      const head = CALL_HEAD.exec(this.buffer.slice(jsonStart));
      if (head) {
        out.push({ kind: "open", name: JSON.parse(head[1]) as string });
        this.args = { start: jsonStart + head[0].length, sent: 0 };
      }
    }
    if (this.args) {
      const argsEnd = objectEnd(this.buffer, this.args.start);
      const upTo = argsEnd < 0 ? this.buffer.length : argsEnd;
      const fragment = this.buffer.slice(this.args.start + this.args.sent, upTo);
      if (fragment) out.push({ kind: "args", text: fragment });
      this.args.sent = upTo - this.args.start;
      if (argsEnd < 0) return false;
    }
    const jsonEnd = objectEnd(this.buffer, jsonStart);
    if (jsonEnd < 0) return false;
    let end = jsonEnd;
    if (suffix) {
      const close = this.buffer.indexOf(suffix.trim(), jsonEnd);
      if (close < 0) return false;
      end = close + suffix.trim().length;
    }
    let object: { name?: unknown; [key: string]: unknown } | null = null;
    try {
      object = JSON.parse(this.buffer.slice(jsonStart, jsonEnd));
    } catch {
      object = null;
    }
    const args = object?.[argumentsKey] ?? object?.arguments ?? object?.parameters ?? {};
    // Not a call after all: it stays in the buffer, and flush() gives it back as text.
    if (!object || typeof object.name !== "string" || typeof args !== "object") return false;
    const streamed = this.args !== null;
    const call = {
      name: object.name,
      arguments: streamed
        ? this.buffer.slice(this.args!.start, this.args!.start + this.args!.sent)
        : JSON.stringify(args),
    };
    this.calls.push(call);
    out.push({ kind: "close", call, streamed });
    this.buffer = this.buffer.slice(end);
    return true;
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
