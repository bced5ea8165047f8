import { DomainError, type ErrorCode } from "@/server/errors";

interface ProviderErrorDetails {
  /** The upstream's HTTP status, when it answered. */
  status?: number;
  retryAfterMs?: number | null;
  /** Worth retrying on this or another upstream (rate limits, 5xx, network, timeouts). */
  retryable?: boolean;
}

/** A DomainError from an upstream call, with what retry and failover logic needs to decide. */
export class ProviderError extends DomainError {
  readonly upstreamStatus: number | null;
  readonly retryAfterMs: number | null;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, details: ProviderErrorDetails = {}) {
    super(code, message);
    this.upstreamStatus = details.status ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.retryable = details.retryable ?? false;
  }
}

/**
 * The caller aborted (its signal fired). Deliberately not a DomainError: nobody is waiting for an error
 * response. `name` is "AbortError" like the platform's, so generic abort checks recognise it too.
 */
export class ProviderAbortError extends Error {
  constructor(cause?: unknown) {
    super("the upstream request was aborted by the caller", { cause });
    this.name = "AbortError";
  }
}

export const isProviderAbort = (error: unknown): error is ProviderAbortError => error instanceof ProviderAbortError;

export const malformed = (detail: string) => new ProviderError("UPSTREAM", `malformed response: ${detail}`);

export const timedOut = (host: string, ms: number, what: string) =>
  new ProviderError("UPSTREAM", `upstream ${host} timed out after ${ms} ms ${what}`, { retryable: true });

/** What we repeat of an upstream's error message: enough to say what went wrong, too little to read a page back. */
const MAX_MESSAGE = 200;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * The human message inside an upstream error body, across the shapes OpenAI, Anthropic, vLLM, TGI and Ollama use:
 * at most 200 characters, control characters replaced by spaces. Only from JSON: a body that is not JSON (an HTML
 * page, a metadata document, whatever answered at that address) is never repeated, so a registered endpoint
 * cannot be used to read pages back through error messages.
 */
export function upstreamMessage(bodyText: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return null;
  }
  const record = body as { error?: unknown; message?: unknown; detail?: unknown } | null;
  const candidates = [
    (record?.error as { message?: unknown } | undefined)?.message,
    record?.error,
    record?.message,
    record?.detail,
  ];
  const found = candidates.find((value) => typeof value === "string" && value.trim() !== "");
  if (typeof found !== "string") return null;
  const clean = found.replace(CONTROL, " ").trim();
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE)}…` : clean;
}

/** `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date), in milliseconds. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | null {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const scrub = (message: string, secret?: string) => (secret ? message.split(secret).join("[redacted]") : message);

/** Statuses whose cause is the request's content (too long, bad parameter), so the caller can fix it. */
const CALLER_FAULT = new Set([400, 413, 422]);

/** Maps a non-2xx upstream answer. The API key never appears in the message, even if the upstream echoed it. */
export function errorFromStatus(status: number, headers: Headers, bodyText: string, host: string, secret?: string) {
  const message = upstreamMessage(bodyText);
  const detail = message ? scrub(message, secret) : bodyText.trim() ? "no error message we repeat" : "no error message";
  // Another gateway (or this one) refused the call as a request loop: retrying or failing over would loop again.
  if (status === 508)
    return new ProviderError("UPSTREAM", `upstream ${host} refused the request as a loop (HTTP 508): ${detail}`, {
      status,
    });
  if (status === 401 || status === 403) {
    return new ProviderError("UPSTREAM", `upstream rejected the API key (HTTP ${status} from ${host})`, { status });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers);
    const hint = retryAfterMs === null ? "" : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
    return new ProviderError("RATE_LIMITED", `upstream ${host} rate-limited the request${hint}: ${detail}`, {
      status,
      retryAfterMs,
      retryable: true,
    });
  }
  if (status >= 500) {
    return new ProviderError("UPSTREAM", `upstream ${host} failed with HTTP ${status}: ${detail}`, {
      status,
      retryAfterMs: parseRetryAfter(headers),
      retryable: true,
    });
  }
  const code = CALLER_FAULT.has(status) ? "BAD_REQUEST" : "UPSTREAM";
  return new ProviderError(code, `upstream ${host} rejected the request with HTTP ${status}: ${detail}`, { status });
}

/** Codes meaning "nothing answered at that address": the host is down, unknown or unreachable. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } })?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

/** Maps a fetch or body-read failure that was neither a timeout nor the caller's abort. */
export function errorFromNetwork(error: unknown, host: string, phase: "connect" | "read") {
  const code = networkCode(error);
  if (phase === "connect" && code && UNREACHABLE.has(code)) {
    return new ProviderError("UNAVAILABLE", `upstream ${host} is unreachable (${code})`, { retryable: true });
  }
  // Only the code: a network error's message names the address and port it tried, which the caller never registered.
  const reason = code ?? "network error";
  const what = phase === "connect" ? "request to" : "connection to";
  const where = phase === "read" ? " mid-response" : "";
  return new ProviderError("UPSTREAM", `${what} upstream ${host} failed${where} (${reason})`, { retryable: true });
}
