import { describe, expect, it } from "vitest";
import {
  filterCriteriaSchema,
  importPolicySchema,
  kAnonymityOptionsSchema,
  maskOptionsSchema,
  splitOptionsSchema,
  validateOptionsSchema,
} from "./schemas";

describe("option schemas", () => {
  it("accept what the core functions take", () => {
    expect(
      filterCriteriaSchema.parse({ minTokens: 10, include: [{ pattern: "refund", flags: "i", roles: ["user"] }] }),
    ).toEqual({
      minTokens: 10,
      include: [{ pattern: "refund", flags: "i", roles: ["user"] }],
    });
    expect(splitOptionsSchema.parse({ ratio: 0.9, salt: "v1" })).toEqual({ ratio: 0.9, salt: "v1" });
    expect(maskOptionsSchema.parse({ kinds: ["EMAIL", "CARD"] })).toEqual({ kinds: ["EMAIL", "CARD"] });
    expect(kAnonymityOptionsSchema.parse({ fields: ["user.country"], k: 5 })).toEqual({
      fields: ["user.country"],
      k: 5,
    });
    expect(importPolicySchema.parse({ mode: "lenient", maxRejectedFraction: 0.05 }).mode).toBe("lenient");
    expect(validateOptionsSchema.parse({ format: "auto", emptyLines: "error" }).format).toBe("auto");
  });

  it("refuse what the core would reject", () => {
    expect(filterCriteriaSchema.safeParse({ include: [{ pattern: "(" }] }).success).toBe(false);
    expect(filterCriteriaSchema.safeParse({ include: [{ pattern: "a", flags: "g" }] }).success).toBe(false);
    expect(filterCriteriaSchema.safeParse({ minTokens: 10, maxTokens: 5 }).success).toBe(false);
    expect(splitOptionsSchema.safeParse({ ratio: 1 }).success).toBe(false);
    expect(maskOptionsSchema.safeParse({ kinds: ["NAME"] }).success).toBe(false);
    expect(kAnonymityOptionsSchema.safeParse({ fields: ["a..b"], k: 2 }).success).toBe(false);
    expect(kAnonymityOptionsSchema.safeParse({ fields: ["a"], k: 1 }).success).toBe(false);
  });
});
