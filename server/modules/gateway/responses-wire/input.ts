/**
 * Responses API input items to Chat Completions messages. The same function reads a previous response's output
 * items (assistant messages with `output_text`, `function_call`s), which are valid input items too.
 */
import { invalid, isObject, type Json, newId, text } from "./fields";

/** A Chat Completions message as the upstream reads it. */
export type ChatMessage = Json & { role: string };

export interface TranslatedInput {
  messages: ChatMessage[];
  /** The items as `input_items` lists them: each with an id (the client's, or one given here) and a type. */
  items: Json[];
}

const ROLES = new Set(["user", "system", "developer", "assistant"]);

/** `input` (a string or a list of items) to chat messages; `param` prefixes the paths of refusals. */
export function translateInput(input: unknown, param = "input"): TranslatedInput {
  if (typeof input === "string") {
    return {
      messages: [{ role: "user", content: input }],
      items: [{ id: newId("msg"), type: "message", role: "user", status: "completed", content: [inputText(input)] }],
    };
  }
  if (!Array.isArray(input)) throw invalid(param, "must be a string or an array of input items");
  const messages: ChatMessage[] = [];
  const items: Json[] = [];
  // Consecutive function calls (and the assistant text before them) are one assistant turn in Chat Completions.
  let assistantTurn: ChatMessage | null = null;
  input.forEach((item, i) => {
    const at = `${param}.${i}`;
    if (!isObject(item)) throw invalid(at, "must be an input item object");
    const type = item.type ?? "message";
    if (type === "message") {
      const message = chatMessage(item, at);
      messages.push(message);
      assistantTurn = message.role === "assistant" ? message : null;
      items.push(withId(item, "msg", { type: "message", status: item.status ?? "completed", content: parts(item) }));
      return;
    }
    if (type === "function_call") {
      const call = {
        id: text(item.call_id, `${at}.call_id`, 200),
        type: "function",
        function: { name: text(item.name, `${at}.name`, 200), arguments: text(item.arguments, `${at}.arguments`) },
      };
      if (!assistantTurn) {
        assistantTurn = { role: "assistant", content: null };
        messages.push(assistantTurn);
      }
      const turn = assistantTurn as ChatMessage;
      turn.tool_calls = [...((turn.tool_calls as unknown[] | undefined) ?? []), call];
      items.push(withId(item, "fc", { status: item.status ?? "completed" }));
      return;
    }
    assistantTurn = null;
    if (type === "function_call_output") {
      messages.push({
        role: "tool",
        tool_call_id: text(item.call_id, `${at}.call_id`, 200),
        content: toolOutput(item.output, `${at}.output`),
      });
      items.push(withId(item, "fco", { status: item.status ?? "completed" }));
      return;
    }
    // Reasoning items carry a reasoning model's hidden state, which Chat Completions has no field for: the model
    // answers from the visible conversation alone (documented in the gateway README).
    if (type === "reasoning") return;
    throw invalid(
      `${at}.type`,
      `input items of type '${String(type)}' are not supported by this gateway (messages, function_call, function_call_output and reasoning are)`,
    );
  });
  return { messages, items };
}

const inputText = (value: string) => ({ type: "input_text", text: value });

/** The item with an id (kept when the client sent one) and the fields given, ids first as OpenAI lists them. */
function withId(item: Json, prefix: "msg" | "fc" | "fco", extra: Json): Json {
  const id = typeof item.id === "string" && item.id ? item.id : newId(prefix);
  return Object.assign({ id }, item, extra, { id });
}

/** A message's content as `input_items` lists it: parts, a string becoming one text part. */
const parts = (item: Json) =>
  typeof item.content !== "string"
    ? item.content
    : [
        item.role === "assistant"
          ? { type: "output_text", text: item.content, annotations: [] }
          : inputText(item.content),
      ];

function chatMessage(item: Json, at: string): ChatMessage {
  const role = item.role;
  if (typeof role !== "string" || !ROLES.has(role))
    throw invalid(`${at}.role`, "must be user, system, developer or assistant");
  const content = item.content;
  if (typeof content === "string") return { role, content };
  if (!Array.isArray(content)) throw invalid(`${at}.content`, "must be a string or an array of content parts");
  if (role === "assistant") return { role, content: assistantText(content, `${at}.content`) };
  return { role, content: content.map((part, j) => chatPart(part, `${at}.content.${j}`)) };
}

/** An assistant turn's parts (its earlier answer): text, as Chat Completions carries an assistant's content. */
function assistantText(parts: unknown[], at: string): string {
  let joined = "";
  parts.forEach((part, j) => {
    if (!isObject(part)) throw invalid(`${at}.${j}`, "must be a content part object");
    if (part.type === "output_text" || part.type === "input_text") joined += text(part.text, `${at}.${j}.text`);
    else if (part.type === "refusal") joined += text(part.refusal, `${at}.${j}.refusal`);
    else throw invalid(`${at}.${j}.type`, `an assistant message cannot carry '${String(part.type)}' parts`);
  });
  return joined;
}

function chatPart(part: unknown, at: string): Json {
  if (!isObject(part)) throw invalid(at, "must be a content part object");
  switch (part.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: text(part.text, `${at}.text`) };
    case "input_image": {
      if (part.file_id != null)
        throw invalid(`${at}.file_id`, "images by file_id are not supported by this gateway: send image_url");
      const url = text(part.image_url, `${at}.image_url`);
      const image: Json = { url };
      if (part.detail != null) image.detail = part.detail;
      return { type: "image_url", image_url: image };
    }
    case "input_file": {
      if (part.file_id != null)
        throw invalid(`${at}.file_id`, "files by file_id are not supported by this gateway: send file_data");
      if (part.file_url != null)
        throw invalid(`${at}.file_url`, "files by URL are not supported by this gateway: send file_data");
      const file: Json = { file_data: text(part.file_data, `${at}.file_data`) };
      if (part.filename != null) file.filename = text(part.filename, `${at}.filename`, 1000);
      return { type: "file", file };
    }
    default:
      throw invalid(`${at}.type`, `content parts of type '${String(part.type)}' are not supported by this gateway`);
  }
}

/** A function's result: Chat Completions tool messages carry text (a string, or text parts). */
function toolOutput(output: unknown, at: string): string {
  if (typeof output === "string") return output;
  if (!Array.isArray(output)) throw invalid(at, "must be a string or an array of content parts");
  let joined = "";
  output.forEach((part, j) => {
    if (!isObject(part) || part.type !== "input_text")
      throw invalid(`${at}.${j}.type`, "a function call's output can carry text only through this gateway");
    joined += text(part.text, `${at}.${j}.text`);
  });
  return joined;
}
