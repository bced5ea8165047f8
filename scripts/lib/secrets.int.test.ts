/** Generated secrets live apart from the data directory; an existing install's are moved there safely (issue 14, item 9). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { moveLegacySecrets, persistentSecret, secretsDir } from "./secrets";

let root: string;
let dataDir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "switchyard-secrets-"));
  dataDir = path.join(root, ".switchyard");
  mkdirSync(dataDir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

describe("generated secrets", () => {
  it("default to a folder beside the data directory, not in it, or to SWITCHYARD_SECRETS_DIR", () => {
    expect(secretsDir(dataDir)).toBe(path.join(root, ".switchyard-secrets"));
    expect(secretsDir(`${dataDir}/`)).toBe(path.join(root, ".switchyard-secrets"));
    expect(secretsDir(dataDir, "/run/secrets/switchyard")).toBe("/run/secrets/switchyard");
  });

  it("are generated once, 0600 in a 0700 folder, and reused", () => {
    const dir = secretsDir(dataDir);
    const first = persistentSecret(dir, "master-key", () => "generated-1");
    expect(persistentSecret(dir, "master-key", () => "generated-2")).toBe(first);
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "master-key"))).toBe(0o600);
    expect(existsSync(path.join(dataDir, "master-key"))).toBe(false);
  });

  it("move from the data directory of an existing install: written first, then removed; modes tightened", () => {
    writeFileSync(path.join(dataDir, "master-key"), "old-master-key\n", { mode: 0o644 });
    writeFileSync(path.join(dataDir, "auth-secret"), "old-auth-secret\n", { mode: 0o644 });
    const dir = secretsDir(dataDir);
    expect(moveLegacySecrets(dataDir, dir, ["master-key", "auth-secret", "admin-password"])).toEqual([
      "master-key",
      "auth-secret",
    ]);
    expect(existsSync(path.join(dataDir, "master-key"))).toBe(false);
    expect(readFileSync(path.join(dir, "master-key"), "utf8")).toBe("old-master-key\n");
    expect(mode(path.join(dir, "master-key"))).toBe(0o600);
    // The key that decrypts the stored provider secrets is the same one after the move.
    expect(persistentSecret(dir, "master-key", () => "new")).toBe("old-master-key");
    // Nothing left to move the next time.
    expect(moveLegacySecrets(dataDir, dir, ["master-key", "auth-secret"])).toEqual([]);
  });

  it("keep the secrets folder's copy when both differ, and leave the old file for the operator", () => {
    const dir = secretsDir(dataDir);
    persistentSecret(dir, "master-key", () => "current");
    writeFileSync(path.join(dataDir, "master-key"), "stale\n");
    expect(moveLegacySecrets(dataDir, dir, ["master-key"])).toEqual([]);
    expect(readFileSync(path.join(dir, "master-key"), "utf8").trim()).toBe("current");
    expect(readFileSync(path.join(dataDir, "master-key"), "utf8").trim()).toBe("stale");
  });
});
