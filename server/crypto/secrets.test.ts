import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "@/server/crypto/secrets";

const saved = process.env.SWITCHYARD_MASTER_KEY;
beforeEach(() => {
  process.env.SWITCHYARD_MASTER_KEY = "a".repeat(40);
});
afterEach(() => {
  process.env.SWITCHYARD_MASTER_KEY = saved;
});

describe("secrets", () => {
  it("round-trips, never stores the plaintext, and uses a fresh IV each time", () => {
    const a = encryptSecret("sk-upstream-123");
    const b = encryptSecret("sk-upstream-123");
    expect(a).not.toBe(b);
    expect(a).not.toContain("sk-upstream");
    expect(decryptSecret(a)).toBe("sk-upstream-123");
  });

  it("refuses tampered ciphertext and a changed master key", () => {
    const stored = encryptSecret("secret");
    const parts = stored.split(":");
    parts[3] = Buffer.from("other").toString("base64url");
    expect(() => decryptSecret(parts.join(":"))).toThrow(/cannot be decrypted/);
    process.env.SWITCHYARD_MASTER_KEY = "b".repeat(40);
    expect(() => decryptSecret(stored)).toThrow(/SWITCHYARD_MASTER_KEY/);
  });

  it("refuses to encrypt without a master key", () => {
    delete process.env.SWITCHYARD_MASTER_KEY;
    expect(() => encryptSecret("x")).toThrow(/SWITCHYARD_MASTER_KEY is not set/);
  });
});
