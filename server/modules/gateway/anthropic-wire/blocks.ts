/**
 * Anthropic content blocks → Chat Completions content parts, tool calls and tool messages. Blocks with no Chat
 * Completions equivalent (thinking, server-tool results, file ids, PDF URLs) are skipped here; `anthropicOnlyFields`
 * lists them so a non-Anthropic target can refuse them by name. Unknown block types are a 400.
 */
import { z } from "zod";
import { invalidField, parseAt } from "./validate";

/** Block types Anthropic defines that have no Chat Completions equivalent: skipped, and listed by `anthropicOnlyFields`. */
export const ANTHROPIC_ONLY_BLOCKS = new Set([
  "thinking",
  "redacted_thinking",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "search_result",
  "container_upload",
  "mcp_tool_use",
  "mcp_tool_result",
]);

export type ChatPart = Record<string, unknown>;

const textBlock = z.looseObject({ text: z.string({ error: "A text block needs its text" }) });
const base64Image = z.looseObject({
  media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"], {
    error: "media_type must be image/jpeg, image/png, image/gif or image/webp",
  }),
  data: z.string({ error: "data is required" }).min(1, "data is required"),
});
const urlSource = z.looseObject({ url: z.url({ error: "url must be an absolute URL" }) });
const base64Pdf = z.looseObject({
  media_type: z.literal("application/pdf", { error: "media_type must be application/pdf" }),
  data: z.string({ error: "data is required" }).min(1, "data is required"),
});
const textSource = z.looseObject({
  media_type: z.literal("text/plain", { error: "media_type must be text/plain" }),
  data: z.string({ error: "data is required" }),
});
const contentSource = z.looseObject({
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))], {
    error: "content must be a string or an array of content blocks",
  }),
});
const sourceOf = z.looseObject({ source: z.looseObject({ type: z.string({ error: "source.type is required" }) }) });

function imagePart(block: unknown, at: string): ChatPart[] {
  const { source } = parseAt(sourceOf, block, at);
  if (source.type === "base64") {
    const { media_type, data } = parseAt(base64Image, source, `${at}.source`);
    return [{ type: "image_url", image_url: { url: `data:${media_type};base64,${data}` } }];
  }
  if (source.type === "url")
    return [{ type: "image_url", image_url: { url: parseAt(urlSource, source, `${at}.source`).url } }];
  if (source.type === "file") return []; // an Anthropic Files API id
  throw invalidField(`${at}.source.type`, "An image source is base64, url or file");
}

function documentPart(block: unknown, at: string): ChatPart[] {
  const { source } = parseAt(sourceOf, block, at);
  switch (source.type) {
    case "base64": {
      const { data } = parseAt(base64Pdf, source, `${at}.source`);
      const title = (block as { title?: unknown }).title;
      const filename = typeof title === "string" && title ? title : "document.pdf";
      return [{ type: "file", file: { filename, file_data: `data:application/pdf;base64,${data}` } }];
    }
    case "text":
      return [{ type: "text", text: parseAt(textSource, source, `${at}.source`).data }];
    case "content": {
      const { content } = parseAt(contentSource, source, `${at}.source`);
      if (typeof content === "string") return [{ type: "text", text: content }];
      return content.flatMap((inner, j) => userParts(inner, `${at}.source.content.${j}`));
    }
    case "url":
    case "file":
      return []; // Chat Completions takes a PDF's bytes, not its URL or an Anthropic file id
    default:
      throw invalidField(`${at}.source.type`, "A document source is base64, text, content, url or file");
  }
}

/** The Chat Completions parts for one block of a user turn (tool results are taken apart by the caller). */
export function userParts(block: { type: string }, at: string): ChatPart[] {
  switch (block.type) {
    case "text":
      return [{ type: "text", text: parseAt(textBlock, block, at).text }];
    case "image":
      return imagePart(block, at);
    case "document":
      return documentPart(block, at);
    case "tool_use":
      throw invalidField(`${at}.type`, "tool_use blocks belong in assistant turns");
    default:
      if (ANTHROPIC_ONLY_BLOCKS.has(block.type)) return [];
      throw invalidField(`${at}.type`, `Unknown content block type '${block.type}'`);
  }
}

const toolResult = z.looseObject({
  tool_use_id: z.string({ error: "tool_use_id is required" }).min(1, "tool_use_id is required"),
  content: z
    .union([z.string(), z.array(z.looseObject({ type: z.string() }))], {
      error: "content must be a string or an array of content blocks",
    })
    .nullish(),
});

/** A `tool_result` block as a `tool` message; its text blocks are the content (other blocks have no place there). */
export function toolMessage(block: unknown, at: string): Record<string, unknown> {
  const { tool_use_id, content } = parseAt(toolResult, block, at);
  let text: string | ChatPart[] = "";
  if (typeof content === "string") text = content;
  else if (content) {
    const parts: ChatPart[] = [];
    for (let j = 0; j < content.length; j++) {
      const inner = content[j];
      if (inner.type === "text")
        parts.push({ type: "text", text: parseAt(textBlock, inner, `${at}.content.${j}`).text });
      else if (inner.type !== "image" && inner.type !== "document" && !ANTHROPIC_ONLY_BLOCKS.has(inner.type))
        throw invalidField(`${at}.content.${j}.type`, `Unknown content block type '${inner.type}'`);
    }
    // One text is sent as a string: some OpenAI-compatible servers read only strings in tool messages.
    text = parts.length === 1 ? (parts[0].text as string) : parts;
  }
  return { role: "tool", tool_call_id: tool_use_id, content: text };
}

const toolUse = z.looseObject({
  id: z.string({ error: "id is required" }).min(1, "id is required"),
  name: z.string({ error: "name is required" }).min(1, "name is required"),
  input: z.record(z.string(), z.unknown(), { error: "input must be an object" }),
});

/** An assistant turn's blocks as one assistant message: its text, and its tool_use blocks as tool_calls. */
export function assistantMessage(blocks: { type: string }[], at: string): Record<string, unknown> {
  let text = "";
  const toolCalls: Record<string, unknown>[] = [];
  for (let j = 0; j < blocks.length; j++) {
    const block = blocks[j];
    const path = `${at}.${j}`;
    if (block.type === "text") text += parseAt(textBlock, block, path).text;
    else if (block.type === "tool_use") {
      const { id, name, input } = parseAt(toolUse, block, path);
      toolCalls.push({ id, type: "function", function: { name, arguments: JSON.stringify(input) } });
    } else if (!ANTHROPIC_ONLY_BLOCKS.has(block.type))
      throw invalidField(`${path}.type`, `An assistant turn carries text and tool_use blocks, not '${block.type}'`);
  }
  if (!toolCalls.length) return { role: "assistant", content: text };
  return { role: "assistant", content: text || null, tool_calls: toolCalls };
}
