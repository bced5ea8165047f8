/**
 * Shared by bench/gateway/run.ts and soak.ts: child processes (upstream, gateway, Portkey), and the setup every
 * gateway benchmark needs (a zero-delay upstream, an embedded Postgres with the schema, a project with an API key
 * and an upstream model `bench-gpt`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { bundle } from "@/scripts/lib/bundle.mjs";
import { createDatabase } from "@/server/database/admin";
import { startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const UPSTREAM_KEY = "sk-upstream-bench";
process.env.SWITCHYARD_MASTER_KEY ??= "bench-gateway-master-key-0123456789abcdef";
// The fake upstream listens on loopback, which upstream calls may not reach unless allowed (children inherit it).
process.env.SWITCHYARD_UPSTREAM_ALLOW ??= "127.0.0.1";

export const children: ChildProcess[] = [];
/** The last JSON line each child printed. */
const lastJson = new Map<ChildProcess, Record<string, unknown>>();
export const cleanups: (() => Promise<void>)[] = [];

/**
 * Starts `node [--import tsx] file args` (with `bundle`: `node` on the file bundled as `npm start` and `npm run
 * gateway` run their entries, scripts/lib/bundle.mjs) and resolves with the first JSON line it prints on stdout. */
export async function startChild(
  file: string,
  argv: string[],
  env: Record<string, string>,
  options: {
    tsx: boolean;
    /** Run the file bundled (no tsx), as `npm run gateway` runs scripts/gateway.ts. */
    bundle?: boolean;
    ready?: (line: string) => boolean;
    nodeFlags?: string[];
    /** Every JSON line the child prints, as it prints it. */
    onJson?: (json: Record<string, unknown>) => void;
  },
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const flags = [...(options.nodeFlags ?? []), ...(options.tsx && !options.bundle ? ["--import", "tsx"] : [])];
  const program = options.bundle ? await bundle(file) : file;
  const child = spawn(process.execPath, [...flags, program, ...argv], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${path.basename(file)} exited (${code}) before it was ready`)));
    lines.on("line", (line) => {
      if (options.ready?.(line)) return resolve({});
      if (!line.startsWith("{")) return;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lastJson.set(child, parsed);
      options.onJson?.(parsed);
      resolve(parsed);
    });
  });
  return { child, first };
}

/** The last JSON line a child prints before it exits (after SIGTERM). */
export async function stopChild(child: ChildProcess): Promise<Record<string, unknown> | null> {
  if (child.exitCode !== null) return null;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
  return lastJson.get(child) ?? null;
}

export async function waitUntilUp(url: string, init: RequestInit) {
  let last = "no answer";
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(url, init);
      if (res.ok) return res;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered 2xx (last: ${last.slice(0, 500)})`);
}

/** The lower median (the middle value; of an even count, the lower of the two). */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** A process's parent and its utime + stime in microseconds (Linux /proc; clock ticks are 100 Hz here). */
function procStat(pid: number | string): { ppid: number; cpuUs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { ppid: Number(fields[1]), cpuUs: (Number(fields[11]) + Number(fields[12])) * 10_000 };
}

/** utime + stime of a process in microseconds. */
export const cpuTimeUs = (pid: number): number => procStat(pid).cpuUs;

/** The machine's CPU ticks so far, all of them and those stolen by the hypervisor (/proc/stat). */
export function machineTicks(): { total: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

/** CPU time of a process and its live children (Postgres: the postmaster and its backends), in microseconds. */
export function treeCpuUs(pid: number): number {
  let total = cpuTimeUs(pid);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const child = procStat(entry);
      if (child.ppid === pid) total += child.cpuUs;
    } catch {
      // gone since readdir
    }
  }
  return total;
}

/** The upstream child, an embedded Postgres (port 54347) with a fresh database, a project, a key and `bench-gpt`. */
export async function setUpGatewayBench() {
  // The upstream, in its own process.
  const upstream = await startChild(path.join(HERE, "upstream.ts"), [], {}, { tsx: true, bundle: true });
  const upstreamOrigin = String(upstream.first.origin);

  // Postgres, schema, project, key, model.
  const dir = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-gateway-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const pgHandle = await startEmbeddedPostgres({ dataDir: dir, port: 54347, database: "postgres", fast: true });
  cleanups.unshift(pgHandle.stop);
  const dbName = `bench_gateway_${Date.now()}`;
  await createDatabase(pgHandle.url, dbName);
  const url = pgHandle.url.replace(/\/[^/]*$/, `/${dbName}`);
  await applyMigrations(url);
  const db = createDb(url);
  cleanups.unshift(() => db.$disconnect());
  const { project, owner } = await makeProject(db, "bench");
  const apiKey = await makeApiKey(db, project.id, ["gateway:invoke"]);
  const key = apiKey.key;
  const caller = callerFor(db, owner.principal, project.id);
  const model = await caller.models.create({
    name: "bench-gpt",
    provider: "openai-compatible",
    task: "chat",
    priceInputPerMTok: 1,
    priceOutputPerMTok: 2,
  });
  await caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${upstreamOrigin}/v1`,
    upstreamModelId: "fake-model",
    apiKey: UPSTREAM_KEY,
  });

  const pgPid = Number(readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
  return { upstream, upstreamOrigin, pgPid, url, key, keyId: apiKey.row.id, db, caller, modelId: model.id };
}

/** Stops every child and runs the cleanups (Postgres, temp folders). */
export async function tearDown() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await stopChild(child);
  for (const cleanup of cleanups) await cleanup().catch((e) => console.error("cleanup:", e));
}
