/**
 * Reads a logged request body (Chat Completions, Anthropic Messages, Completions or Responses, as the gateway
 * stored it, masked) into the playground's input and parameters. Pure: what cannot be replayed (tool messages,
 * tool calls, media, tools, response_format, out-of-range parameters) is named in `leftOut`, never dropped silently.
 */
import { type GenerationParams, generationParams } from "@/server/modules/models/schemas";
import type { PlaygroundDraft } from "@/server/modules/playground/schemas";

type Json = Record<string, unknown>;
type DraftInput = NonNullable<PlaygroundDraft["input"]>;
type Message = DraftInput["messages"][number];

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

class Notes {
  private counts = new Map<string, number>();
  readonly extra: string[] = [];
  count(what: string) {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }
  list(): string[] {
    const named: Record<string, [string, string]> = {
      tool: ["tool message", "tool messages"],
      call: ["tool call", "tool calls"],
      media: ["image, audio or file part", "image, audio or file parts"],
      other: ["message of another role", "messages of other roles"],
    };
    return [...[...this.counts].map(([k, n]) => plural(n, ...(named[k] ?? [k, k]))), ...this.extra];
  }
}

/** A message's text: a string, or its text parts joined; media parts are counted as left out. */
function textOf(content: unknown, notes: Notes): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === "string" && ["text", "input_text", "output_text"].includes(String(part.type)))
      texts.push(part.text);
    else if (part.type === "tool_use" || part.type === "function_call") notes.count("call");
    else if (part.type === "tool_result") notes.count("tool");
    else notes.count("media");
  }
  return texts.join("\n");
}

function readMessages(list: unknown[], notes: Notes): Message[] {
  const out: Message[] = [];
  for (const m of list) {
    if (!isObject(m)) continue;
    const role = m.role;
    if (role === "tool" || role === "function") {
      notes.count("tool");
      continue;
    }
    if (Array.isArray(m.tool_calls)) for (const _ of m.tool_calls) notes.count("call");
    if (isObject(m.function_call)) notes.count("call");
    const text = textOf(m.content, notes);
    if (role === "system" || role === "developer") out.push({ role: "system", content: text });
    else if (role === "user" || role === "assistant") {
      // A message that was only tool calls or tool results has no text to replay.
      if (text !== "" || typeof m.content === "string") out.push({ role, content: text });
    } else notes.count("other");
  }
  return out;
}

/** The parameters the playground has, each kept only when it is valid there. */
function readParams(body: Json, notes: Notes): GenerationParams {
  const stop = body.stop ?? body.stop_sequences;
  const candidates: Record<keyof GenerationParams, unknown> = {
    temperature: body.temperature,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens,
    topP: body.top_p,
    topK: body.top_k,
    seed: body.seed,
    repetitionPenalty: body.repetition_penalty,
    stop: typeof stop === "string" ? [stop] : stop,
  };
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidates)) {
    if (value === undefined || value === null) continue;
    const parsed = generationParams.shape[key as keyof GenerationParams].safeParse(value);
    if (parsed.success) params[key] = parsed.data;
    else notes.extra.push(`${key} ${JSON.stringify(value)} (outside what the playground accepts)`);
  }
  return params as GenerationParams;
}

function readTools(body: Json, notes: Notes) {
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const names = body.tools
      .map((t) => (isObject(t) ? ((isObject(t.function) ? t.function.name : undefined) ?? t.name) : undefined))
      .filter((n): n is string => typeof n === "string");
    notes.extra.push(names.length ? `tools: ${names.join(", ")}` : plural(body.tools.length, "tool"));
  }
  if (body.response_format !== undefined) notes.extra.push("response_format");
}

export function draftFromRequestBody(body: unknown): Pick<PlaygroundDraft, "input" | "params" | "leftOut"> {
  const notes = new Notes();
  if (!isObject(body)) return { input: null, params: {}, leftOut: [] };
  const params = readParams(body, notes);
  readTools(body, notes);
  let input: DraftInput | null = null;
  if (Array.isArray(body.messages) || Array.isArray(body.input) || typeof body.input === "string") {
    // Chat Completions and Anthropic carry `messages`; the Responses API carries `input` (items or one string).
    const items = Array.isArray(body.messages)
      ? body.messages
      : Array.isArray(body.input)
        ? body.input
        : [{ role: "user", content: body.input }];
    const messages = readMessages(items, notes);
    const leading = messages[0]?.role === "system" ? messages[0].content : "";
    const system = [
      typeof body.system === "string" || Array.isArray(body.system) ? textOf(body.system, notes) : "",
      typeof body.instructions === "string" ? body.instructions : "",
      leading,
    ]
      .filter(Boolean)
      .join("\n\n");
    const rest = messages[0]?.role === "system" ? messages.slice(1) : messages;
    input = { mode: "chat", system, messages: rest, prompt: "" };
  } else if (typeof body.prompt === "string") {
    input = { mode: "raw", system: "", messages: [], prompt: body.prompt };
  }
  return { input, params, leftOut: notes.list() };
}
