/** Anthropic's error vocabulary for our failures (https://docs.claude.com/en/api/errors). */
import { ERROR_CODES, type ErrorCode } from "@/server/errors";

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

/**
 * The type for a failure's HTTP status and our error code. A full engine queue (BUSY, 429) and an unavailable
 * service (503) are Anthropic's `overloaded_error`: try again shortly, nothing is wrong with the request or the key.
 */
export function anthropicErrorType(status: number, code?: string | null): AnthropicErrorType {
  if (code === "BUSY" || status === 503 || status === 529) return "overloaded_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The type for an OpenAI-shaped error body (`{error: {code}}`, code = our lowercased code): a mid-stream error chunk. */
export function anthropicErrorTypeOfCode(code: unknown): AnthropicErrorType {
  const upper = typeof code === "string" ? code.toUpperCase() : "";
  const known = upper in ERROR_CODES ? ERROR_CODES[upper as ErrorCode] : null;
  return anthropicErrorType(known?.http ?? 500, upper);
}

export const anthropicError = (type: AnthropicErrorType, message: string) => ({
  type: "error" as const,
  error: { type, message },
});
