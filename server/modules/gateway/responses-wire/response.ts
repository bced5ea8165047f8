/** The Responses API's response object, built from a chat completion (whole, or accumulated from a stream). */
import { isObject, type Json, newId } from "./fields";
import type { RequestEcho } from "./request";

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** What a response object is made of besides its output. */
export interface ResponseHead {
  id: string;
  createdAt: number;
  /** The version that generated (`name@3`), as chat completions name it. */
  model: string;
  echo: RequestEcho;
  switchyard?: unknown;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** The response object in OpenAI's field order; `usage` null until known. */
export function responseObject(
  head: ResponseHead,
  status: ResponseStatus,
  output: Json[],
  usage: ResponseUsage | null,
  extra: { incompleteReason?: string | null; error?: { code: string; message: string } | null } = {},
): Json {
  const e = head.echo;
  const body: Json = {
    id: head.id,
    object: "response",
    created_at: head.createdAt,
    status,
    background: false,
    error: extra.error ?? null,
    incomplete_details: extra.incompleteReason ? { reason: extra.incompleteReason } : null,
    instructions: e.instructions,
    max_output_tokens: e.max_output_tokens,
    model: head.model,
    output,
    parallel_tool_calls: e.parallel_tool_calls,
    previous_response_id: e.previous_response_id,
    reasoning: e.reasoning,
    store: e.store,
    temperature: e.temperature,
    text: e.text,
    tool_choice: e.tool_choice,
    tools: e.tools,
    top_p: e.top_p,
    truncation: e.truncation,
    usage,
    user: e.user,
    metadata: e.metadata,
  };
  if (status === "completed" || status === "incomplete") body.completed_at = Math.floor(Date.now() / 1000);
  if (e.safety_identifier !== undefined) body.safety_identifier = e.safety_identifier;
  if (e.service_tier !== undefined) body.service_tier = e.service_tier;
  if (head.switchyard !== undefined) body.switchyard = head.switchyard;
  return body;
}

/** Chat's finish reason to the response's status: `length` and `content_filter` leave it incomplete. */
export function statusOf(finishReason: unknown): { status: ResponseStatus; incompleteReason: string | null } {
  if (finishReason === "length") return { status: "incomplete", incompleteReason: "max_output_tokens" };
  if (finishReason === "content_filter") return { status: "incomplete", incompleteReason: "content_filter" };
  return { status: "completed", incompleteReason: null };
}

/** Chat usage (details included) in the Responses API's names. */
export function usageOf(usage: unknown): ResponseUsage {
  const u = isObject(usage) ? usage : {};
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const input = num(u.prompt_tokens);
  const output = num(u.completion_tokens);
  const promptDetails = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const completionDetails = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: num(promptDetails.cached_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(completionDetails.reasoning_tokens) },
    total_tokens: typeof u.total_tokens === "number" ? u.total_tokens : input + output,
  };
}

export function outputText(text: string): Json {
  return { type: "output_text", annotations: [], logprobs: [], text };
}

export function messageItem(id: string, status: string, content: Json[]): Json {
  return { id, type: "message", status, content, role: "assistant" };
}

export function functionCallItem(
  id: string,
  status: string,
  call: { callId: string; name: string; arguments: string },
) {
  return { id, type: "function_call", status, arguments: call.arguments, call_id: call.callId, name: call.name };
}

/** A whole chat completion (its first choice) as a response object. */
export function fromChatCompletion(completion: Json, head: ResponseHead): Json {
  const choice = (Array.isArray(completion.choices) ? completion.choices[0] : undefined) as Json | undefined;
  const message = (isObject(choice?.message) ? choice.message : {}) as Json;
  const { status, incompleteReason } = statusOf(choice?.finish_reason);
  const itemStatus = status === "incomplete" ? "incomplete" : "completed";
  const output: Json[] = [];
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
  const content: Json[] = [];
  if (typeof message.content === "string" && (message.content || calls.length === 0))
    content.push(outputText(message.content));
  else if (message.content == null && calls.length === 0 && message.refusal == null) content.push(outputText(""));
  if (typeof message.refusal === "string" && message.refusal)
    content.push({ type: "refusal", refusal: message.refusal });
  if (content.length) output.push(messageItem(newId("msg"), itemStatus, content));
  for (const call of calls) {
    const fn = (isObject(call.function) ? call.function : {}) as Json;
    output.push(
      functionCallItem(newId("fc"), "completed", {
        callId: typeof call.id === "string" ? call.id : newId("call"),
        name: String(fn.name ?? ""),
        arguments: typeof fn.arguments === "string" ? fn.arguments : "",
      }),
    );
  }
  const model = typeof completion.model === "string" ? completion.model : head.model;
  return responseObject(
    Object.assign({}, head, { model, switchyard: completion.switchyard ?? head.switchyard }),
    status,
    output,
    usageOf(completion.usage),
    { incompleteReason },
  );
}
