import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, ERROR_CODES, toDomainError } from "@/server/errors";

describe("DomainError mapping", () => {
  it("maps each code to one tRPC code, HTTP status and OpenAI type", () => {
    expect(new DomainError("NOT_FOUND", "x").httpStatus).toBe(404);
    expect(new DomainError("UNAUTHENTICATED", "x").httpStatus).toBe(401);
    expect(ERROR_CODES.FORBIDDEN.trpc).toBe("FORBIDDEN");
    expect(ERROR_CODES.RATE_LIMITED.http).toBe(429);
    for (const [code, m] of Object.entries(ERROR_CODES)) {
      expect(m.http, code).toBeGreaterThanOrEqual(400);
      expect(m.openai, code).toMatch(/_error$/);
    }
  });

  it("renders the OpenAI error body with the first offending field as param", () => {
    const error = new DomainError("VALIDATION", "messages: required", [{ path: "messages", message: "required" }]);
    expect(error.toOpenAI()).toEqual({
      error: { message: "messages: required", type: "invalid_request_error", code: "validation", param: "messages" },
    });
  });

  it("explains zod failures field by field, and finds wrapped DomainErrors", () => {
    const parsed = z
      .object({ name: z.string().min(1, "Name is required"), n: z.number() })
      .safeParse({ name: "", n: "x" });
    const domain = toDomainError(parsed.error);
    expect(domain?.code).toBe("VALIDATION");
    expect(domain?.issues.map((i) => i.path)).toEqual(["name", "n"]);
    expect(domain?.message).toBe("name: Name is required");
    const inner = new DomainError("CONFLICT", "taken");
    expect(toDomainError(new Error("wrapper", { cause: inner }))).toBe(inner);
    expect(toDomainError(new Error("plain"))).toBeUndefined();
  });
});
