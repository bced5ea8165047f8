/** Chat Completions messages as a Messages API `system` and alternating user/assistant turns. */
import { isObject, UntranslatableError } from "./untranslatable";

type Block = Record<string, unknown>;
interface Turn {
  role: "user" | "assistant";
  content: Block[];
}

/** The image types the Messages API takes. */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * System and developer messages become `system` (in order: the Messages API has no system turn mid-conversation);
 * `tool` messages become tool_result blocks in a user turn; consecutive turns of one role are merged (tool results
 * and the user message after them included), since the Messages API alternates roles.
 */
export function toMessages(messages: unknown): { system: Block[]; turns: Turn[] } {
  if (!Array.isArray(messages)) throw new UntranslatableError("messages", "must be a list");
  const system: Block[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn["role"], blocks: Block[]) => {
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const at = `messages.${i}`;
    if (!isObject(m)) throw new UntranslatableError(at, "must be an object");
    if (m.role !== "tool" && m.role !== "function" && m.name != null)
      throw new UntranslatableError(`${at}.name`, "the Messages API has no participant names");
    switch (m.role) {
      case "system":
      case "developer":
        system.push(...textBlocks(m.content, at));
        break;
      case "user":
        push("user", userBlocks(m.content, at));
        break;
      case "assistant": {
        const blocks = assistantBlocks(m, at);
        if (blocks.length) push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [toolResult(m, at)]);
        break;
      case "function":
        throw new UntranslatableError(`${at}.role`, "legacy function messages are not translated: use tool messages");
      default:
        throw new UntranslatableError(`${at}.role`, `role ${JSON.stringify(m.role)} has no Messages API equivalent`);
    }
  }
  return { system, turns };
}

/** String or text parts only (system, developer and tool messages). */
function textBlocks(content: unknown, at: string): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw new UntranslatableError(`${at}.content`, "must be a string or a list of parts");
  return content.map((part, j) => {
    if (!isObject(part) || part.type !== "text")
      throw new UntranslatableError(`${at}.content.${j}.type`, "only text parts are translated here");
    return { type: "text", text: part.text };
  });
}

function userBlocks(content: unknown, at: string): Block[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw new UntranslatableError(`${at}.content`, "must be a string or a list of parts");
  return content.map((part, j) => userPart(part, `${at}.content.${j}`));
}

function userPart(part: unknown, at: string): Block {
  if (!isObject(part)) throw new UntranslatableError(at, "must be an object");
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image_url":
      return image(part.image_url, `${at}.image_url`);
    case "file":
      return document(part.file, `${at}.file`);
    case "input_audio":
      throw new UntranslatableError(`${at}.type`, "the Messages API takes no audio");
    default:
      throw new UntranslatableError(`${at}.type`, `content part ${JSON.stringify(part.type)} is not translated`);
  }
}

function image(imageUrl: unknown, at: string): Block {
  if (!isObject(imageUrl) || typeof imageUrl.url !== "string") throw new UntranslatableError(`${at}.url`, "missing");
  // `detail` picks the resolution OpenAI reads the image at; Anthropic has no such choice.
  if (imageUrl.detail != null && imageUrl.detail !== "auto")
    throw new UntranslatableError(`${at}.detail`, "the Messages API has no image detail levels");
  const url = imageUrl.url;
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  const data = dataUrl(url);
  if (!data) throw new UntranslatableError(`${at}.url`, "must be an http(s) URL or a base64 data URL");
  if (!IMAGE_TYPES.has(data.mediaType))
    throw new UntranslatableError(`${at}.url`, `the Messages API takes JPEG, PNG, GIF or WebP, not ${data.mediaType}`);
  return { type: "image", source: { type: "base64", media_type: data.mediaType, data: data.base64 } };
}

function document(file: unknown, at: string): Block {
  if (isObject(file) && file.file_id != null)
    throw new UntranslatableError(`${at}.file_id`, "OpenAI file ids mean nothing to Anthropic: send file_data");
  const data = isObject(file) && typeof file.file_data === "string" ? dataUrl(file.file_data) : null;
  if (data?.mediaType !== "application/pdf")
    throw new UntranslatableError(`${at}.file_data`, "only a PDF as a base64 data URL is translated");
  return { type: "document", source: { type: "base64", media_type: "application/pdf", data: data.base64 } };
}

/** `data:<type>[;params];base64,<data>` split without a regex (the data can be megabytes). */
function dataUrl(url: string): { mediaType: string; base64: string } | null {
  if (!url.startsWith("data:")) return null;
  const comma = url.indexOf(",");
  if (comma < 0) return null;
  const header = url.slice(5, comma).split(";");
  if (header.at(-1) !== "base64") return null;
  return { mediaType: header[0].toLowerCase(), base64: url.slice(comma + 1) };
}

function assistantBlocks(m: Record<string, unknown>, at: string): Block[] {
  if (m.audio != null) throw new UntranslatableError(`${at}.audio`, "the Messages API takes no audio");
  if (m.function_call != null)
    throw new UntranslatableError(`${at}.function_call`, "legacy function calls are not translated: use tool_calls");
  const blocks: Block[] = [];
  const content = m.content;
  if (typeof content === "string") {
    if (content) blocks.push({ type: "text", text: content });
  } else if (Array.isArray(content)) {
    for (let j = 0; j < content.length; j++) {
      const part = content[j];
      const text = isObject(part) && (part.type === "text" ? part.text : part.type === "refusal" ? part.refusal : null);
      if (typeof text !== "string") throw new UntranslatableError(`${at}.content.${j}.type`, "not translated");
      // The Messages API refuses empty text blocks.
      if (text) blocks.push({ type: "text", text });
    }
  } else if (content != null) throw new UntranslatableError(`${at}.content`, "must be a string or a list of parts");
  if (Array.isArray(m.tool_calls))
    for (let j = 0; j < m.tool_calls.length; j++) blocks.push(toolUse(m.tool_calls[j], `${at}.tool_calls.${j}`));
  return blocks;
}

function toolUse(call: unknown, at: string): Block {
  if (!isObject(call) || call.type !== "function" || !isObject(call.function))
    throw new UntranslatableError(`${at}.type`, "only function tool calls are translated");
  const args = call.function.arguments;
  let input: unknown = {};
  // No arguments at all is how some clients write a call without parameters.
  if (args != null && args !== "") {
    try {
      input = JSON.parse(args as string);
    } catch {
      throw new UntranslatableError(`${at}.function.arguments`, "is not valid JSON (Anthropic needs the parsed input)");
    }
  }
  if (!isObject(input)) throw new UntranslatableError(`${at}.function.arguments`, "must be a JSON object");
  return { type: "tool_use", id: call.id, name: call.function.name, input };
}

function toolResult(m: Record<string, unknown>, at: string): Block {
  if (typeof m.tool_call_id !== "string") throw new UntranslatableError(`${at}.tool_call_id`, "missing");
  const content = typeof m.content === "string" ? m.content : textBlocks(m.content, at);
  return { type: "tool_result", tool_use_id: m.tool_call_id, content };
}
