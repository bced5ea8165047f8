import type { z } from "zod";
import { DomainError } from "@/server/errors";

/** A 400 naming the field as the Anthropic request spells it (`messages.2.content.0.source`). */
export function invalidField(path: string, message: string): DomainError {
  return new DomainError("VALIDATION", `${path}: ${message}`, [{ path, message }]);
}

/** `value` parsed by `schema`; a failure is a 400 naming the offending field under `at`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, at: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [at, ...(issue?.path ?? []).map(String)].filter(Boolean).join(".");
  throw invalidField(path || "body", issue?.message ?? "Invalid input");
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Absent in effect: what a client sends for "not set". */
export const isUnset = (v: unknown) => v === undefined || v === null || v === false;
