import { afterEach, describe, expect, it } from "vitest";
import { env } from "@/server/env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("env", () => {
  it("applies defaults and treats empty strings as unset", () => {
    process.env.DATABASE_URL = "";
    process.env.PORT = "";
    delete process.env.SWITCHYARD_PG_PORT;
    const config = env();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(3000);
    expect(config.SWITCHYARD_PG_PORT).toBe(54329);
  });

  it("names every invalid variable", () => {
    process.env.DATABASE_URL = "not a url";
    process.env.PORT = "99999";
    expect(() => env()).toThrow(/DATABASE_URL: DATABASE_URL must be a postgresql:\/\/ URL[\s\S]*PORT/);
  });
});
