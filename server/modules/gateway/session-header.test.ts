import { describe, expect, it } from "vitest";
import type { GatewayHttpRequest } from "./http-request";
import { sessionOf } from "./session-header";

const withHeader = (value: string | null) =>
  ({ headers: { get: (name: string) => (name === "x-switchyard-session" ? value : null) } }) as GatewayHttpRequest;

describe("sessionOf", () => {
  it("is null without the header or with a blank one, and trims the value", () => {
    expect(sessionOf(withHeader(null))).toBeNull();
    expect(sessionOf(withHeader("   "))).toBeNull();
    expect(sessionOf(withHeader("  chat-1 "))).toBe("chat-1");
    expect(sessionOf(withHeader("é".repeat(200)))).toBe("é".repeat(200));
  });

  it("refuses more than 200 characters and control characters with a VALIDATION error naming the header", () => {
    for (const value of ["x".repeat(201), "a\tb", "a\u0000b", "a\u007fb"]) {
      expect(() => sessionOf(withHeader(value))).toThrow(/x-switchyard-session/);
      try {
        sessionOf(withHeader(value));
      } catch (error) {
        expect(error).toMatchObject({ code: "VALIDATION" });
      }
    }
  });
});
