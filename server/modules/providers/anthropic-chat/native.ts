/**
 * A Chat Completions body translated from a `/v1/messages` request carries that request (`NATIVE_ANTHROPIC_BODY`):
 * toward Anthropic it goes out as the client wrote it (top_k, thinking, cache_control kept), not translated back.
 */
import { NATIVE_ANTHROPIC_BODY } from "../types";
import { isObject } from "./untranslatable";

/**
 * `native` with the upstream's model, `stream` as the call is made, and the sampling fields the gateway may have
 * set on the chat body (a version default, a prompt's or an experiment's parameters) where they differ from it.
 */
export function nativeRequest(
  body: Record<string, unknown>,
  native: Record<string, unknown>,
  stream: boolean,
): Record<string, unknown> {
  const request: Record<string, unknown> = Object.assign({}, native, { model: body.model, stream });
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null && maxTokens !== native.max_tokens) request.max_tokens = maxTokens;
  if (body.temperature != null && body.temperature !== native.temperature) request.temperature = body.temperature;
  if (body.top_p != null && body.top_p !== native.top_p) request.top_p = body.top_p;
  const stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (Array.isArray(stop) && JSON.stringify(stop) !== JSON.stringify(native.stop_sequences ?? []))
    request.stop_sequences = stop;
  return request;
}

/** The native request a chat body carries, if any. */
export function nativeBodyOf(body: object): Record<string, unknown> | null {
  const native = (body as Record<symbol, unknown>)[NATIVE_ANTHROPIC_BODY];
  return isObject(native) ? native : null;
}
