/**
 * What an Anthropic Messages request asks for that its Chat Completions translation (`request.ts`) cannot carry:
 * an Anthropic upstream honours it when sent the native body; any other model must refuse it by name.
 */
import { ANTHROPIC_ONLY_BLOCKS } from "./blocks";
import { isObject, isUnset } from "./validate";

/** Fields each object carries over into Chat Completions; any other set field is Anthropic's alone. */
const TRANSLATED = {
  request: new Set([
    "model",
    "max_tokens",
    "messages",
    "system",
    "stop_sequences",
    "temperature",
    "top_p",
    "stream",
    "metadata",
    "tools",
    "tool_choice",
    "output_config",
    "variables",
  ]),
  metadata: new Set(["user_id"]),
  outputConfig: new Set(["format"]),
  message: new Set(["role", "content"]),
  text: new Set(["type", "text"]),
  image: new Set(["type", "source"]),
  document: new Set(["type", "source"]),
  toolUse: new Set(["type", "id", "name", "input"]),
  toolResult: new Set(["type", "tool_use_id", "content"]),
  tool: new Set(["type", "name", "description", "input_schema", "strict"]),
  toolChoice: new Set(["type", "name", "disable_parallel_tool_use"]),
};

/**
 * Paths of the fields in an Anthropic Messages request with no Chat Completions equivalent (`top_k`, `thinking`,
 * `messages.0.content.1.cache_control`, `messages.2.content.0` for a thinking block, …). The
 * translation leaves them out; refuse them (400 naming the field) when the target is not an Anthropic upstream.
 */
export function anthropicOnlyFields(nativeBody: Record<string, unknown>): string[] {
  const out: string[] = [];
  extraKeys(nativeBody, TRANSLATED.request, "", out);
  if (isObject(nativeBody.metadata)) extraKeys(nativeBody.metadata, TRANSLATED.metadata, "metadata", out);
  if (isObject(nativeBody.output_config))
    extraKeys(nativeBody.output_config, TRANSLATED.outputConfig, "output_config", out);
  if (Array.isArray(nativeBody.system)) blocks(nativeBody.system, "system", out);
  if (Array.isArray(nativeBody.messages))
    nativeBody.messages.forEach((m, i) => {
      if (!isObject(m)) return;
      extraKeys(m, TRANSLATED.message, `messages.${i}`, out);
      if (Array.isArray(m.content)) blocks(m.content, `messages.${i}.content`, out);
    });
  if (Array.isArray(nativeBody.tools))
    nativeBody.tools.forEach((t, i) => {
      if (isObject(t)) extraKeys(t, TRANSLATED.tool, `tools.${i}`, out);
    });
  if (isObject(nativeBody.tool_choice)) extraKeys(nativeBody.tool_choice, TRANSLATED.toolChoice, "tool_choice", out);
  return out;
}

function extraKeys(object: Record<string, unknown>, kept: Set<string>, at: string, out: string[]) {
  for (const key in object) if (!kept.has(key) && !isUnset(object[key])) out.push(at ? `${at}.${key}` : key);
}

function blocks(list: unknown[], at: string, out: string[]) {
  list.forEach((block, j) => {
    if (isObject(block)) oneBlock(block, `${at}.${j}`, out);
  });
}

function oneBlock(block: Record<string, unknown>, at: string, out: string[]) {
  const source = isObject(block.source) ? block.source : null;
  switch (block.type) {
    case "text":
      return extraKeys(block, TRANSLATED.text, at, out);
    case "image":
      extraKeys(block, TRANSLATED.image, at, out);
      if (source?.type === "file") out.push(`${at}.source`);
      return;
    case "document":
      // A title or context informs the model at Anthropic; Chat Completions has no place for them.
      extraKeys(block, TRANSLATED.document, at, out);
      if (source?.type === "url" || source?.type === "file") out.push(`${at}.source`);
      if (source?.type === "content" && Array.isArray(source.content))
        blocks(source.content, `${at}.source.content`, out);
      return;
    case "tool_use":
      return extraKeys(block, TRANSLATED.toolUse, at, out);
    case "tool_result":
      // is_error has no Chat Completions counterpart: a tool message is just content.
      extraKeys(block, TRANSLATED.toolResult, at, out);
      if (Array.isArray(block.content))
        block.content.forEach((inner, k) => {
          if (!isObject(inner)) return;
          if (inner.type === "text") extraKeys(inner, TRANSLATED.text, `${at}.content.${k}`, out);
          else out.push(`${at}.content.${k}`); // a tool message carries text only
        });
      return;
    default:
      if (typeof block.type === "string" && ANTHROPIC_ONLY_BLOCKS.has(block.type)) out.push(at);
  }
}
