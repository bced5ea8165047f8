import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { DomainError } from "@/server/errors";

/**
 * Provider secrets (upstream API keys) are stored as AES-256-GCM ciphertext
 * under the master key from SWITCHYARD_MASTER_KEY (npm start generates one
 * into the data directory when unset). Format: `v1:<iv>:<tag>:<ciphertext>`,
 * base64url parts. Without the master key nothing can be decrypted.
 */
function masterKey(): Buffer {
  const raw = process.env.SWITCHYARD_MASTER_KEY;
  if (!raw || raw.length < 32)
    throw new DomainError("UNAVAILABLE", "SWITCHYARD_MASTER_KEY is not set (32+ characters): secrets cannot be stored");
  // Any 32+ character string: hash it to exactly 32 bytes.
  return createHash("sha256").update(raw).digest();
}

export function encryptSecret(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(":");
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, body] = stored.split(":");
  if (version !== "v1" || !iv || !tag || body === undefined)
    throw new DomainError("INTERNAL", "Unreadable secret format");
  try {
    const decipher = createDecipheriv("aes-256-gcm", masterKey(), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DomainError("INTERNAL", "A stored secret cannot be decrypted: was SWITCHYARD_MASTER_KEY changed?");
  }
}
