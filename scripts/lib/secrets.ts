import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/**
 * Generated secrets (master key, auth secret, admin password, metrics token)
 * live in their own folder, apart from the data directory that holds the
 * database and artifacts: a copy or backup of the data no longer carries the
 * key that decrypts the provider secrets in it, nor what signs sessions.
 * Default: `<data dir>-secrets` beside it (`.switchyard-secrets`);
 * SWITCHYARD_SECRETS_DIR puts it elsewhere (a mounted secret volume, say).
 */
export function secretsDir(dataDir: string, configured?: string): string {
  return path.resolve(configured ?? `${path.resolve(dataDir)}-secrets`);
}

/** Writes a secret file atomically (temporary file, fsync, rename): mode 0600, never half-written. */
function writeSecretFile(file: string, value: string) {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, `${value}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** The folder, created 0700 (and tightened if it exists), and each secret in it 0600. */
function prepareDir(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * A secret kept in the secrets folder when the environment does not provide
 * one, so restarts keep sessions valid and the admin password stable.
 */
export function persistentSecret(dir: string, name: string, make: () => string): string {
  prepareDir(dir);
  const file = path.join(dir, name);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return readFileSync(file, "utf8").trim();
  }
  const value = make();
  writeSecretFile(file, value);
  return value;
}

/**
 * Installs from before kept their secrets in the data directory. Each one is
 * moved into the secrets folder: written there first (atomically), read back
 * and compared, and only then removed from the data directory. When both
 * places hold one and they differ, the secrets folder's wins and the old file
 * is left for the operator to look at. Returns what was moved.
 */
export function moveLegacySecrets(dataDir: string, dir: string, names: readonly string[]): string[] {
  const moved: string[] = [];
  for (const name of names) {
    const from = path.join(dataDir, name);
    const to = path.join(dir, name);
    if (path.resolve(from) === path.resolve(to) || !existsSync(from)) continue;
    const value = readFileSync(from, "utf8").trim();
    prepareDir(dir);
    if (!existsSync(to)) writeSecretFile(to, value);
    if (readFileSync(to, "utf8").trim() !== value) {
      console.warn(`[switchyard] ${from} differs from ${to}: using ${to}; remove ${from} once you have checked it`);
      continue;
    }
    unlinkSync(from);
    moved.push(name);
  }
  return moved;
}

export const randomSecret = (bytes = 32) => randomBytes(bytes).toString("base64url");
