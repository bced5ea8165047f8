/** Small helpers the Responses translators share: refusals that name the field, shape checks, ids. */
import { randomBytes } from "node:crypto";
import { DomainError } from "@/server/errors";

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A 400 naming the field (`param`), in the gateway's dotted paths (`input.2.content.0.file_id`). */
export function invalid(param: string, message: string): DomainError {
  return new DomainError("VALIDATION", `${param}: ${message}`, [{ path: param, message }]);
}

/** An id as OpenAI spells them: a prefix and 48 hex digits (`resp_…`, `msg_…`, `fc_…`). */
export const newId = (prefix: "resp" | "msg" | "fc" | "fco" | "call") => `${prefix}_${randomBytes(24).toString("hex")}`;

export function text(value: unknown, param: string, max = 1_000_000): string {
  if (typeof value !== "string") throw invalid(param, "must be a string");
  if (value.length > max) throw invalid(param, `must be at most ${max} characters`);
  return value;
}

export function optionalText(value: unknown, param: string, max = 1_000_000): string | null {
  return value == null ? null : text(value, param, max);
}

export function optionalBoolean(value: unknown, param: string): boolean | null {
  if (value == null) return null;
  if (typeof value !== "boolean") throw invalid(param, "must be a boolean");
  return value;
}

export function optionalNumber(value: unknown, param: string, min: number, max: number, integer = false) {
  if (value == null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw invalid(param, integer ? "must be an integer" : "must be a number");
  if (value < min || value > max) throw invalid(param, `must be between ${min} and ${max}`);
  return value;
}
