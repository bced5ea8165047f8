import { describe, expect, it } from "vitest";
import { z } from "zod";
import "@/lib/validation-messages";

const first = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues[0]?.message;

describe("validation messages in words", () => {
  it("says limits, types and formats the way a person would", () => {
    expect(first(z.number().max(2), 3)).toBe("Must be 2 or less");
    expect(first(z.number().lt(2), 3)).toBe("Must be less than 2");
    expect(first(z.number().min(0), -1)).toBe("Must be 0 or more");
    expect(first(z.number(), Number.NaN)).toBe("Enter a number");
    expect(first(z.number(), "3")).toBe("Must be a number, not text");
    expect(first(z.number().int(), 1.5)).toBe("Must be a whole number");
    expect(first(z.string(), undefined)).toBe("Required");
    expect(first(z.string().min(1), "")).toBe("Required");
    expect(first(z.string().max(3), "abcd")).toBe("Use at most 3 characters");
    expect(first(z.array(z.string()).min(1), [])).toBe("Add at least one");
    expect(first(z.string().url(), "nope")).toBe("Enter a URL, such as https://example.com");
    expect(first(z.enum(["a", "b"]), "c")).toBe('Must be one of "a", "b"');
    expect(first(z.object({}).strict(), { x: 1 })).toBe("Unknown field: x");
  });
  it("keeps a message the schema sets itself", () => {
    expect(first(z.number().max(2, "Temperature goes up to 2"), 3)).toBe("Temperature goes up to 2");
  });
});
