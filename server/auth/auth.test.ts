import { describe, expect, it } from "vitest";
import { ROLE_SCOPES, SCOPES } from "@/lib/scopes";
import { bearerToken, generateApiKey, hashApiKey, KEY_PREFIX_LENGTH } from "@/server/auth/api-key";
import { hashPassword, verifyPassword } from "@/server/auth/password";

describe("passwords", () => {
  it("hashes with scrypt and a fresh salt, and verifies only the right password", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsf", a)).toBe(false);
    expect(await verifyPassword("correct horse", "md5$garbage")).toBe(false);
  });
});

describe("API key material", () => {
  it("generates distinct keys whose prefix and hash match", () => {
    const k1 = generateApiKey();
    const k2 = generateApiKey();
    expect(k1.key).not.toBe(k2.key);
    expect(k1.prefix).toBe(k1.key.slice(0, KEY_PREFIX_LENGTH));
    expect(k1.secretHash).toBe(hashApiKey(k1.key));
    expect(k1.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads Bearer tokens and refuses other schemes", () => {
    expect(bearerToken(new Headers({ authorization: "Bearer sy_abc" }))).toBe("sy_abc");
    expect(bearerToken(new Headers({ authorization: "bearer   sy_abc " }))).toBe("sy_abc");
    expect(bearerToken(new Headers())).toBeUndefined();
    expect(() => bearerToken(new Headers({ authorization: "Basic dXNlcjpwYXNz" }))).toThrow(/Bearer/);
  });
});

describe("roles", () => {
  it("gives owners everything, viewers only reads, and nests each role in the one above", () => {
    expect(ROLE_SCOPES.owner).toEqual(SCOPES);
    expect(ROLE_SCOPES.viewer.every((s) => s.endsWith(":read"))).toBe(true);
    expect(ROLE_SCOPES.editor).toContain("prompts:write");
    expect(ROLE_SCOPES.editor).not.toContain("members:write");
    const chain = [ROLE_SCOPES.viewer, ROLE_SCOPES.editor, ROLE_SCOPES.admin, ROLE_SCOPES.owner];
    for (let i = 1; i < chain.length; i++) for (const s of chain[i - 1]) expect(chain[i]).toContain(s);
  });
});
