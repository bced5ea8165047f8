import { describe, expect, it } from "vitest";
import { slugify } from "@/server/modules/projects/service";

describe("slugify", () => {
  it("makes URL-safe slugs", () => {
    expect(slugify("Demo Project")).toBe("demo-project");
    expect(slugify("  Ünïcödé & Co. ")).toBe("unicode-co");
    expect(slugify("!!!")).toBe("project");
    expect(slugify("x".repeat(100))).toHaveLength(48);
  });
});
