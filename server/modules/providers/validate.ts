import type { z } from "zod";
import { DomainError, toDomainError } from "@/server/errors";

/** Parses caller input; a bad request becomes a VALIDATION DomainError naming the field. */
export function validate<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw toDomainError(parsed.error) ?? new DomainError("VALIDATION", "Invalid provider request");
}
