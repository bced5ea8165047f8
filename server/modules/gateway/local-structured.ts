/**
 * Structured output and tool calls toward a local (in-process ONNX) model: the request's `tools`, `tool_choice`,
 * `parallel_tool_calls` and `response_format` become the engine's `tools` (rendered by the chat template) and a
 * `StructuredOutputSpec` (constrained decoding); assistant `tool_calls` and `tool` messages keep their fields
 * through the template. What the engine cannot honour is a 400 naming the field.
 */
import { DomainError } from "@/server/errors";
import type { LocalGeneration } from "@/server/modules/runs/local";
import {
  type ChatMessage,
  type ChatTool,
  checkStructuredOutput,
  type StructuredOutputSpec,
  templateTakesTools,
} from "@/server/modules/runs/local-tools";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import { SOURCE } from "./passthrough";
import { EXTRAS, type WithExtras } from "./pipeline-hooks";
import type { ServedVersion } from "./target";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const bad = (field: string, why: string) =>
  new DomainError("VALIDATION", `${field}: ${why}`, [{ path: field, message: why }]);

/** What a local model is asked beyond text: null for a plain text request (the common path pays nothing more). */
export interface LocalStructured {
  spec: StructuredOutputSpec | null;
  tools: ChatTool[] | null;
  /** Messages carry tool calls or tool results: the engine's messages are rebuilt from the client's. */
  toolMessages: boolean;
}

function readTools(raw: Json): NonNullable<Extract<StructuredOutputSpec, { type: "tool_call" }>["tools"]> {
  if (!Array.isArray(raw.tools)) throw bad("tools", "must be an array of tools");
  return raw.tools.map((tool, i) => {
    if (!isObject(tool) || tool.type !== "function") throw bad(`tools.${i}.type`, "only function tools are supported");
    const fn = tool.function;
    if (!isObject(fn) || typeof fn.name !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name))
      throw bad(`tools.${i}.function.name`, "a name of letters, digits, _ and - (at most 64)");
    if (fn.parameters !== undefined && !isObject(fn.parameters))
      throw bad(`tools.${i}.function.parameters`, "must be a JSON schema object");
    return {
      name: fn.name,
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
      parameters: (fn.parameters as Json | undefined) ?? { type: "object", properties: {} },
      ...(fn.strict === true ? { strict: true } : {}),
    };
  });
}

function readChoice(raw: Json, names: string[]): "none" | "auto" | "required" | { name: string } {
  const choice = raw.tool_choice ?? "auto";
  if (choice === "none" || choice === "auto" || choice === "required") return choice;
  if (isObject(choice) && choice.type === "function" && isObject(choice.function)) {
    const name = choice.function.name;
    if (typeof name === "string" && names.includes(name)) return { name };
    throw bad("tool_choice.function.name", `no tool named '${String(name)}' in tools`);
  }
  throw bad("tool_choice", "must be none, auto, required or {type: 'function', function: {name}}");
}

function readFormat(raw: Json): StructuredOutputSpec | null {
  const format = raw.response_format;
  if (format == null || (isObject(format) && format.type === "text")) return null;
  if (isObject(format) && format.type === "json_object") return { type: "json_object" };
  if (isObject(format) && format.type === "json_schema" && isObject(format.json_schema)) {
    const js = format.json_schema;
    if (!isObject(js.schema)) throw bad("response_format.json_schema.schema", "a JSON schema object is required");
    return { type: "json_schema", name: String(js.name ?? "response"), schema: js.schema, strict: js.strict === true };
  }
  throw bad("response_format.type", "must be text, json_object or json_schema");
}

/**
 * The request's structured parts for a local model (validated, schemas compiled once to check them), or null.
 * Tools need a chat template that takes them, in a convention we parse (read from the artifact's inspection).
 */
export function localStructured(raw: Json, version: ServedVersion): LocalStructured | null {
  const messages = (raw.messages ?? []) as Json[];
  let toolMessages = false;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const calls = Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
    if (m.role !== "tool" && !calls) continue;
    toolMessages = true;
    // As OpenAI: a tool result answers the assistant turn with tool_calls just before it (or its other results).
    const previous = messages[i - 1];
    const answers =
      previous &&
      (previous.role === "tool" ||
        (previous.role === "assistant" && Array.isArray(previous.tool_calls) && previous.tool_calls.length > 0));
    if (m.role === "tool" && !answers)
      throw bad(`messages.${i}.role`, "a tool message must follow an assistant message with tool_calls");
  }
  const hasTools = Array.isArray(raw.tools) && raw.tools.length > 0;
  if (!hasTools && raw.tool_choice != null && raw.tool_choice !== "none")
    throw bad("tool_choice", "tool_choice needs tools");
  const format = readFormat(raw);
  let spec: StructuredOutputSpec | null = format;
  let tools: ChatTool[] | null = null;
  if (hasTools) {
    const offered = readTools(raw);
    const choice = readChoice(
      raw,
      offered.map((t) => t.name),
    );
    if (choice !== "none") {
      if (format) throw bad("response_format", "a local model answers with tool calls or a JSON document, not both");
      spec = { type: "tool_call", tools: offered, choice, parallel: raw.parallel_tool_calls !== false };
      tools = offered.map(({ name, description, parameters }) => ({ name, description, parameters }));
    }
  }
  if (tools) {
    const template = (version.artifact?.inspection as { chatTemplate?: string | null } | undefined)?.chatTemplate;
    if (!templateTakesTools(template ?? null)) {
      const label = `${version.model.name}@${version.version}`;
      throw bad("tools", `model '${label}' cannot honour 'tools' (its chat template has no tool calling we read)`);
    }
  }
  if (spec) checkStructuredOutput(spec);
  return spec || tools || toolMessages ? { spec, tools, toolMessages } : null;
}

/**
 * The engine's messages with their tool fields: each caller message remembers the client's message it came from
 * (`SOURCE`), whose tool calls (with any arguments an input step changed) and tool_call_id are put back.
 */
function localMessages(input: GenerationInput): ChatMessage[] | null {
  if (!("messages" in input)) return null;
  return input.messages.map((m) => {
    const source = (m as { [SOURCE]?: Json })[SOURCE];
    const out: ChatMessage = { role: m.role, content: m.content };
    if (!source) return out;
    if (source.role === "tool") {
      out.role = "tool";
      if (typeof source.tool_call_id === "string") out.tool_call_id = source.tool_call_id;
    }
    if (typeof source.name === "string") out.name = source.name;
    const calls = Array.isArray(source.tool_calls) ? (source.tool_calls as Json[]) : [];
    if (calls.length > 0) {
      const args = (m as WithExtras)[EXTRAS]?.args;
      out.tool_calls = calls.map((call, k) => {
        const fn = isObject(call.function) ? call.function : {};
        return {
          id: String(call.id ?? `call_${k}`),
          type: "function",
          function: { name: String(fn.name ?? ""), arguments: args?.[k] ?? String(fn.arguments ?? "{}") },
        };
      });
    }
    return out;
  });
}

/** What the local engine gets for this request, or undefined for plain text. */
export function localGeneration(local: LocalStructured | null, input: GenerationInput): LocalGeneration | undefined {
  if (!local) return undefined;
  return { spec: local.spec, tools: local.tools, messages: local.toolMessages ? localMessages(input) : null };
}
