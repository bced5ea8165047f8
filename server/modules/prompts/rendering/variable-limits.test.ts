import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { checkVariableBounds } from "./variable-limits";

const bounds = { maxItems: 100, maxDepth: 3, maxChars: 50 };

function refusal(variables: Record<string, unknown>) {
  try {
    checkVariableBounds(variables, bounds);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("VALIDATION");
    return (error as DomainError).issues[0];
  }
  throw new Error("expected the variables to be refused");
}

describe("checkVariableBounds", () => {
  it("accepts variables within every bound", () => {
    expect(() => checkVariableBounds({ a: "x".repeat(49), list: [1, 2, { b: [3] }] }, bounds)).not.toThrow();
  });

  it("names the path where a bound was passed", () => {
    expect(refusal({ examples: Array.from({ length: 300_000 }, () => 1) })).toEqual({
      path: "variables.examples",
      message: "variables hold more than 100 list items and fields in all",
    });
    expect(refusal({ a: { b: { c: { d: [1] } } } })).toEqual({
      path: "variables.a.b.c.d",
      message: "variables are nested more than 3 levels deep",
    });
    expect(refusal({ a: "x".repeat(30), b: ["y".repeat(30)] })).toEqual({
      path: "variables.b.0",
      message: "variables hold more than 50 characters in all",
    });
  });
});
