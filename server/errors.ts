import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { ZodError } from "zod";
// Zod messages in words for every API answer and form (installs zod's global error map).
import "@/lib/validation-messages";

/**
 * The one error type domain code throws. Each code maps, in one table, to a
 * tRPC code, an HTTP status and an OpenAI-style error type, so tRPC, REST and
 * the `/v1` gateway all report the same failure the same way.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400, openai: "invalid_request_error" },
  VALIDATION: { trpc: "BAD_REQUEST", http: 400, openai: "invalid_request_error" },
  /** A gateway route's input guardrail refused the request (the message names the guard and rule). */
  GUARDRAIL_BLOCKED: { trpc: "BAD_REQUEST", http: 400, openai: "invalid_request_error" },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", http: 401, openai: "authentication_error" },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403, openai: "permission_error" },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404, openai: "not_found_error" },
  CONFLICT: { trpc: "CONFLICT", http: 409, openai: "invalid_request_error" },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413, openai: "invalid_request_error" },
  UNPROCESSABLE: { trpc: "UNPROCESSABLE_CONTENT", http: 422, openai: "invalid_request_error" },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429, openai: "rate_limit_error" },
  TOKEN_RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429, openai: "rate_limit_error" },
  BUDGET_EXCEEDED: { trpc: "TOO_MANY_REQUESTS", http: 429, openai: "rate_limit_error" },
  BUSY: { trpc: "TOO_MANY_REQUESTS", http: 429, openai: "rate_limit_error" },
  UPSTREAM: { trpc: "BAD_GATEWAY", http: 502, openai: "api_error" },
  UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", http: 503, openai: "api_error" },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", http: 500, openai: "api_error" },
} as const satisfies Record<string, { trpc: TRPC_ERROR_CODE_KEY; http: number; openai: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `scopes.0`. */
  path: string;
  message: string;
}

/**
 * Marks a DomainError whichever copy of this module made it. The gateway bundle (esbuild) and Next's server
 * bundle each have their own DomainError class but share one in-process inference engine, so an error the engine
 * throws may come from the other copy: a registered symbol is the same in both, a class is not.
 */
const BRAND = Symbol.for("switchyard.DomainError");

const isBranded = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;

export class DomainError extends Error {
  /**
   * `instanceof DomainError` recognises a DomainError from any copy of this module (by its brand); subclasses
   * (`ProviderError`, `KeyLimitError`) keep the ordinary prototype check.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: subclasses inherit this method; `this` is the class asked about.
    if (this === DomainError) return isBranded(value);
    // biome-ignore lint/complexity/noThisInStatic: as above.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  readonly code: ErrorCode;
  readonly issues: FieldIssue[];

  constructor(code: ErrorCode, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.issues = issues;
    Object.defineProperty(this, BRAND, { value: true });
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** The OpenAI wire format: `{ error: { message, type, code, param } }`. */
  toOpenAI() {
    return {
      error: {
        message: this.message,
        type: ERROR_CODES[this.code].openai,
        code: this.code.toLowerCase(),
        param: this.issues[0]?.path ?? null,
      },
    };
  }
}

export const notFound = (what: string, id?: string) =>
  new DomainError("NOT_FOUND", id ? `${what} '${id}' was not found` : `${what} was not found`);

/** Finds the DomainError behind an error, looking through wrappers' `cause`. */
export function findDomainError(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof DomainError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A DomainError for anything we can explain (ours, or a zod validation failure); else undefined. */
export function toDomainError(error: unknown): DomainError | undefined {
  const domain = findDomainError(error);
  if (domain) return domain;
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = issues[0];
    const message = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "Invalid input";
    return new DomainError("VALIDATION", message, issues);
  }
  return undefined;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

/**
 * Runs `write` again when it loses a race on a unique index (e.g. two saves taking the same next version
 * number): the database decides, the loser retries with fresh numbers. Other errors, and a sixth loss, throw.
 */
export async function retryOnUniqueViolation<T>(write: () => Promise<T>, retries = 5): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error) && attempt < retries) continue;
      throw error;
    }
  }
}

/** Turns a Prisma unique-constraint violation into a CONFLICT, else returns the error. */
export function mapPrismaError(error: unknown, conflictMessage: string): unknown {
  if (isUniqueViolation(error)) return new DomainError("CONFLICT", conflictMessage);
  return error;
}
