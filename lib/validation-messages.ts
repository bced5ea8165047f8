import { z } from "zod";

/**
 * Zod's default messages ("Too big: expected number to be <=2", "expected number, received NaN") reach
 * people: in forms, toasts and API errors. This says the same in words. It is installed globally (zod's
 * `customError`), so a message a schema sets itself still wins; importing this module installs it, and both
 * the server (server/errors.ts) and the console (the tRPC provider) import it.
 */
type Issue = z.core.$ZodRawIssue;

const KIND: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  date: "a date",
  null: "null",
  undefined: "nothing",
};

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number") return Number.isNaN(value) ? "no number" : "a number";
  return KIND[typeof value] ?? typeof value;
}

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

export function describeIssue(issue: Issue): string | undefined {
  const i = issue as Issue & Record<string, unknown>;
  switch (issue.code) {
    case "invalid_type": {
      if (i.input === undefined) return "Required";
      const expected = KIND[String(i.expected)] ?? String(i.expected);
      if (typeof i.input === "number" && Number.isNaN(i.input)) return `Enter ${expected}`;
      if (typeof i.input === "number" && i.expected === "int") return "Must be a whole number";
      return `Must be ${expected}, not ${kindOf(i.input)}`;
    }
    case "too_big": {
      const max = i.maximum as number;
      if (i.origin === "string") return `Use at most ${plural(max, "character", "characters")}`;
      if (i.origin === "array" || i.origin === "set") return `Use at most ${plural(max, "item", "items")}`;
      if (i.origin === "file") return `Must be at most ${max} bytes`;
      return i.inclusive === false ? `Must be less than ${max}` : `Must be ${max} or less`;
    }
    case "too_small": {
      const min = i.minimum as number;
      if (i.origin === "string")
        return Number(min) === 1 ? "Required" : `Use at least ${plural(min, "character", "characters")}`;
      if (i.origin === "array" || i.origin === "set")
        return Number(min) === 1 ? "Add at least one" : `Add at least ${plural(min, "item", "items")}`;
      return i.inclusive === false ? `Must be more than ${min}` : `Must be ${min} or more`;
    }
    case "invalid_format": {
      const format = String(i.format);
      if (format === "email") return "Enter an e-mail address";
      if (format === "url") return "Enter a URL, such as https://example.com";
      if (format === "uuid" || format === "cuid" || format === "cuid2") return "Not a valid id";
      if (format === "starts_with") return `Must start with "${String(i.prefix)}"`;
      if (format === "ends_with") return `Must end with "${String(i.suffix)}"`;
      if (format === "includes") return `Must include "${String(i.includes)}"`;
      if (format === "datetime" || format === "date") return "Enter a date, such as 2026-01-31";
      return `Not a valid ${format}`;
    }
    case "not_multiple_of":
      return Number(i.divisor) === 1 ? "Must be a whole number" : `Must be a multiple of ${String(i.divisor)}`;
    case "invalid_value": {
      const values = (i.values as unknown[]).map((v) => JSON.stringify(v));
      return values.length === 1 ? `Must be ${values[0]}` : `Must be one of ${values.join(", ")}`;
    }
    case "unrecognized_keys": {
      const keys = i.keys as string[];
      return `Unknown ${keys.length === 1 ? "field" : "fields"}: ${keys.join(", ")}`;
    }
    case "invalid_union":
      return "Doesn't match any of the accepted forms";
    default:
      return undefined;
  }
}

z.config({ customError: describeIssue });
