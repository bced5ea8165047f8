import { DomainError } from "@/server/errors";

/**
 * A Chat Completions field the Messages API cannot express: a 400 naming it, never a silent drop. `field` is its
 * path as OpenAI names it (`n`, `messages.2.content.1.type`); the gateway adds the model to the message.
 */
export class UntranslatableError extends DomainError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super("VALIDATION", `${field}: ${reason}`, [{ path: field, message: reason }]);
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
