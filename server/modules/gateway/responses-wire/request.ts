/**
 * A Responses API request (`POST /v1/responses`) read and translated into a Chat Completions body. What Chat
 * Completions cannot carry, or the gateway cannot honour, is a 400 naming the field; nothing is dropped silently.
 */
import { invalid, isObject, type Json, optionalBoolean, optionalNumber, optionalText, text } from "./fields";
import { type ChatMessage, translateInput } from "./input";

/** What the response object echoes of the request (OpenAI's defaults where it left a field out). */
export interface RequestEcho {
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: null };
  store: boolean;
  temperature: number | null;
  text: Json;
  tool_choice: unknown;
  tools: Json[];
  top_p: number | null;
  truncation: "disabled";
  user: string | null;
  safety_identifier?: string;
  service_tier?: string;
}

export interface ResponsesRequest {
  model: string;
  stream: boolean;
  store: boolean;
  previousResponseId: string | null;
  instructions: string | null;
  /** This request's input as chat messages (instructions not included). */
  input: ChatMessage[];
  /** This request's input items, each with an id. */
  items: Json[];
  echo: RequestEcho;
  /** Chat Completions fields beyond `model`, `messages` and `stream`. */
  chatFields: Json;
}

/** Fields read here; any other field is refused by name, since it could change the answer. */
const KNOWN = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "text",
  "max_output_tokens",
  "temperature",
  "top_p",
  "user",
  "safety_identifier",
  "metadata",
  "store",
  "previous_response_id",
  "stream",
  "stream_options",
  "reasoning",
  "service_tier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "truncation",
  "include",
  "top_logprobs",
  "variables",
]);

/** Fields OpenAI documents that the gateway cannot honour: accepted only when absent, null, false or empty. */
const REFUSED: Record<string, string> = {
  background: "background responses are not supported by this gateway",
  conversation: "conversations are not supported by this gateway: use previous_response_id",
  prompt: "OpenAI-hosted prompts are not supported by this gateway: use model 'prompt:NAME'",
  context_management: "context management is not supported by this gateway",
  max_tool_calls: "max_tool_calls limits built-in tools, which this gateway does not run",
};

const BUILT_IN_TOOLS = "web search, file search, computer use, code interpreter, MCP and other built-in tools";

export function parseResponsesRequest(raw: Json): ResponsesRequest {
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    const empty = value == null || value === false || (Array.isArray(value) && value.length === 0);
    if (key in REFUSED) {
      if (!empty) throw invalid(key, REFUSED[key]);
    } else if (!KNOWN.has(key) && !empty) throw invalid(key, `'${key}' is not supported by this gateway`);
  }
  if (typeof raw.model !== "string" || !raw.model.trim()) throw invalid("model", "model is required");
  if (raw.input == null) throw invalid("input", "input is required");
  const { messages, items } = translateInput(raw.input);
  if (messages.length === 0) throw invalid("input", "input must hold at least one message or function call output");

  const chatFields: Json = {};
  const instructions = optionalText(raw.instructions, "instructions");
  const tools = functionTools(raw.tools);
  if (tools.length) chatFields.tools = tools.map(chatTool);
  const toolChoice = raw.tool_choice ?? "auto";
  if (raw.tool_choice != null) chatFields.tool_choice = chatToolChoice(raw.tool_choice);
  const parallel = optionalBoolean(raw.parallel_tool_calls, "parallel_tool_calls");
  // OpenAI refuses parallel_tool_calls without tools on Chat Completions.
  if (parallel !== null && tools.length) chatFields.parallel_tool_calls = parallel;
  const textConfig = textFormat(raw.text, chatFields);
  const maxOutput = optionalNumber(raw.max_output_tokens, "max_output_tokens", 1, 32_768, true);
  if (maxOutput !== null) chatFields.max_completion_tokens = maxOutput;
  const temperature = optionalNumber(raw.temperature, "temperature", 0, 2);
  if (temperature !== null) chatFields.temperature = temperature;
  const topP = optionalNumber(raw.top_p, "top_p", 0, 1);
  if (topP !== null) {
    if (topP === 0) throw invalid("top_p", "must be greater than 0");
    chatFields.top_p = topP;
  }
  const user = optionalText(raw.user, "user", 200);
  const safetyIdentifier = optionalText(raw.safety_identifier, "safety_identifier", 200);
  // OpenAI's end-user id is the experiment unit and the log's user: `safety_identifier` is its newer name.
  const endUser = safetyIdentifier ?? user;
  if (endUser !== null) chatFields.user = endUser;
  const effort = reasoningEffort(raw.reasoning);
  if (effort !== null) chatFields.reasoning_effort = effort;
  const serviceTier = optionalText(raw.service_tier, "service_tier", 50);
  if (serviceTier !== null) chatFields.service_tier = serviceTier;
  for (const key of ["prompt_cache_key", "prompt_cache_retention"] as const) {
    const value = optionalText(raw[key], key, 200);
    if (value !== null) chatFields[key] = value;
  }
  if (raw.truncation != null && raw.truncation !== "disabled")
    throw invalid("truncation", "only 'disabled' is supported by this gateway (the context is never cut)");
  if (raw.include != null && (!Array.isArray(raw.include) || raw.include.length > 0))
    throw invalid("include", "additional output data is not supported by this gateway");
  if (raw.top_logprobs != null && raw.top_logprobs !== 0)
    throw invalid("top_logprobs", "log probabilities are not supported on /v1/responses by this gateway");
  if (raw.stream_options != null && !isObject(raw.stream_options)) throw invalid("stream_options", "must be an object");
  if (raw.variables != null) {
    if (!isObject(raw.variables)) throw invalid("variables", "must be an object");
    chatFields.variables = raw.variables;
  }

  const stream = optionalBoolean(raw.stream, "stream") ?? false;
  const store = optionalBoolean(raw.store, "store") ?? true;
  const previousResponseId = optionalText(raw.previous_response_id, "previous_response_id", 200);
  const echo: RequestEcho = {
    instructions,
    max_output_tokens: maxOutput,
    metadata: metadata(raw.metadata),
    parallel_tool_calls: parallel ?? true,
    previous_response_id: previousResponseId,
    reasoning: { effort, summary: null },
    store,
    temperature,
    text: textConfig,
    tool_choice: toolChoice,
    tools,
    top_p: topP,
    truncation: "disabled",
    user,
  };
  if (safetyIdentifier !== null) echo.safety_identifier = safetyIdentifier;
  if (serviceTier !== null) echo.service_tier = serviceTier;
  return {
    model: raw.model,
    stream,
    store,
    previousResponseId,
    instructions,
    input: messages,
    items,
    echo,
    chatFields,
  };
}

/** The Chat Completions body: instructions first, then the earlier conversation, then this input. */
export function chatBody(request: ResponsesRequest, earlier: ChatMessage[]): Json {
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: "system", content: request.instructions });
  for (const m of earlier) messages.push(m);
  for (const m of request.input) messages.push(m);
  const body: Json = { model: request.model, messages, stream: request.stream };
  // Usage arrives on the last chunk only when asked for; the Responses API always reports it.
  if (request.stream) body.stream_options = { include_usage: true };
  return Object.assign(body, request.chatFields);
}

/** The function tools, as the response echoes them; built-in tools are refused by name. */
function functionTools(tools: unknown): Json[] {
  if (tools == null) return [];
  if (!Array.isArray(tools)) throw invalid("tools", "must be an array of tools");
  return tools.map((tool, i) => {
    const at = `tools.${i}`;
    if (!isObject(tool)) throw invalid(at, "must be a tool object");
    if (tool.type !== "function")
      throw invalid(
        `${at}.type`,
        `built-in tool '${String(tool.type)}' is not supported by this gateway: only function tools are (${BUILT_IN_TOOLS} are not)`,
      );
    const parameters = tool.parameters ?? null;
    if (parameters !== null && !isObject(parameters)) throw invalid(`${at}.parameters`, "must be a JSON schema object");
    return {
      type: "function",
      name: text(tool.name, `${at}.name`, 64),
      description: optionalText(tool.description, `${at}.description`),
      parameters,
      strict: optionalBoolean(tool.strict, `${at}.strict`),
    };
  });
}

function chatTool(tool: Json): Json {
  const fn: Json = { name: tool.name };
  if (tool.description !== null) fn.description = tool.description;
  if (tool.parameters !== null) fn.parameters = tool.parameters;
  if (tool.strict !== null) fn.strict = tool.strict;
  return { type: "function", function: fn };
}

function chatToolChoice(choice: unknown): unknown {
  if (choice === "none" || choice === "auto" || choice === "required") return choice;
  if (!isObject(choice)) throw invalid("tool_choice", "must be none, auto, required or a tool choice object");
  if (choice.type === "function")
    return { type: "function", function: { name: text(choice.name, "tool_choice.name", 64) } };
  if (choice.type === "allowed_tools") {
    if (choice.mode !== "auto" && choice.mode !== "required")
      throw invalid("tool_choice.mode", "must be auto or required");
    if (!Array.isArray(choice.tools)) throw invalid("tool_choice.tools", "must be an array of tools");
    const allowed = choice.tools.map((tool, i) => {
      if (!isObject(tool) || tool.type !== "function")
        throw invalid(`tool_choice.tools.${i}.type`, "only function tools are supported by this gateway");
      return { type: "function", function: { name: text(tool.name, `tool_choice.tools.${i}.name`, 64) } };
    });
    return { type: "allowed_tools", allowed_tools: { mode: choice.mode, tools: allowed } };
  }
  throw invalid(
    "tool_choice.type",
    `tool choice '${String(choice.type)}' names a built-in tool, which this gateway does not run`,
  );
}

/** `text.format` to `response_format` (set on `chat`); returns the `text` the response echoes. */
function textFormat(config: unknown, chat: Json): Json {
  if (config == null) return { format: { type: "text" } };
  if (!isObject(config)) throw invalid("text", "must be an object");
  const echo: Json = {};
  const format = config.format ?? { type: "text" };
  if (!isObject(format)) throw invalid("text.format", "must be an object");
  if (format.type === "text") echo.format = { type: "text" };
  else if (format.type === "json_object") {
    echo.format = { type: "json_object" };
    chat.response_format = { type: "json_object" };
  } else if (format.type === "json_schema") {
    if (!isObject(format.schema)) throw invalid("text.format.schema", "must be a JSON schema object");
    const schema: Json = {
      name: text(format.name, "text.format.name", 64),
      schema: format.schema,
    };
    const description = optionalText(format.description, "text.format.description");
    if (description !== null) schema.description = description;
    const strict = optionalBoolean(format.strict, "text.format.strict");
    if (strict !== null) schema.strict = strict;
    chat.response_format = { type: "json_schema", json_schema: schema };
    echo.format = Object.assign({ type: "json_schema" }, schema);
  } else throw invalid("text.format.type", "must be text, json_object or json_schema");
  const verbosity = optionalText(config.verbosity, "text.verbosity", 20);
  if (verbosity !== null) {
    chat.verbosity = verbosity;
    echo.verbosity = verbosity;
  }
  return echo;
}

function reasoningEffort(reasoning: unknown): string | null {
  if (reasoning == null) return null;
  if (!isObject(reasoning)) throw invalid("reasoning", "must be an object");
  if (reasoning.summary != null || reasoning.generate_summary != null)
    throw invalid("reasoning.summary", "reasoning summaries are not supported by this gateway");
  return optionalText(reasoning.effort, "reasoning.effort", 20);
}

/** OpenAI's limits: up to 16 pairs, keys up to 64 characters, string values up to 512. */
function metadata(value: unknown): Record<string, string> {
  if (value == null) return {};
  if (!isObject(value)) throw invalid("metadata", "must be an object of strings");
  const entries = Object.entries(value);
  if (entries.length > 16) throw invalid("metadata", "at most 16 keys");
  for (const [key, v] of entries) {
    if (key.length > 64) throw invalid("metadata", "keys must be at most 64 characters");
    text(v, `metadata.${key}`, 512);
  }
  return value as Record<string, string>;
}
