/**
 * Gateway overhead: the standalone Switchyard gateway (request log ON: the real batching writer on a real
 * Postgres) and Portkey's open-source gateway, both in front of the same zero-delay fake OpenAI upstream, against
 * that upstream called directly. Each server runs in its own child process; autocannon drives them from here.
 *
 *   npx tsx bench/gateway/run.ts [--duration 10] [--rate 500] [--connections 10] [--warmup 3] [--profile DIR]
 *
 * Per target: (a) a fixed rate (autocannon overallRate) for --duration s: latency p50/p99; (b) no rate limit:
 * max req/s and p50. Added latency = gateway minus direct at the same rate. Latency percentiles are computed
 * from autocannon's per-response times (float ms; its own histogram keeps whole milliseconds only).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { createDatabase } from "@/server/database/admin";
import { startEmbeddedPostgres } from "@/server/database/embedded";
import { applyMigrations } from "@/server/database/migrations";
import { createDb } from "@/server/db";
import { callerFor, makeApiKey, makeProject } from "@/server/testing/factories";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
    connections: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    /** Write a V8 CPU profile of the Switchyard gateway process into this folder. */
    profile: { type: "string" },
  },
});
const DURATION = Number(args.duration);
const RATE = Number(args.rate);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const UPSTREAM_KEY = "sk-upstream-bench";
process.env.SWITCHYARD_MASTER_KEY ??= "bench-gateway-master-key-0123456789abcdef";

const children: ChildProcess[] = [];
/** The last JSON line each child printed. */
const lastJson = new Map<ChildProcess, Record<string, unknown>>();
const cleanups: (() => Promise<void>)[] = [];

/** Starts `node [--import tsx] file args` and resolves with the first JSON line it prints on stdout. */
async function startChild(
  file: string,
  argv: string[],
  env: Record<string, string>,
  options: { tsx: boolean; ready?: (line: string) => boolean; nodeFlags?: string[] },
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const flags = [...(options.nodeFlags ?? []), ...(options.tsx ? ["--import", "tsx"] : [])];
  const child = spawn(process.execPath, [...flags, file, ...argv], {
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
      resolve(parsed);
    });
  });
  return { child, first };
}

/** The last JSON line a child prints before it exits (after SIGTERM). */
async function stopChild(child: ChildProcess): Promise<Record<string, unknown> | null> {
  if (child.exitCode !== null) return null;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
  return lastJson.get(child) ?? null;
}

async function waitUntilUp(url: string, init: RequestInit) {
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

interface Target {
  name: string;
  /** The process serving it: its CPU time per request is measured from /proc (robust to a busy machine). */
  pid: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}
interface Measured {
  p50: number;
  p99: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** CPU time (user + system) the target's process spent per request, in microseconds. */
  cpuUs: number;
}

/** utime + stime of a process in microseconds (Linux /proc; clock ticks are 100 Hz here). */
function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;

async function measure(target: Target, seconds: number, rate?: number): Promise<Measured> {
  const times: number[] = [];
  const cpuBefore = cpuTimeUs(target.pid);
  const run = autocannon({
    url: target.url,
    method: "POST",
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
  });
  run.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const result = await run;
  const cpuUs = (cpuTimeUs(target.pid) - cpuBefore) / Math.max(1, result.requests.total);
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuUs,
  };
}

try {
  // 1. The upstream, in its own process.
  const upstream = await startChild(path.join(HERE, "upstream.ts"), [], {}, { tsx: true });
  const upstreamOrigin = String(upstream.first.origin);

  // 2. Postgres, schema, project, key, model.
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
  const key = (await makeApiKey(db, project.id, ["gateway:invoke"])).key;
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

  // 3. The gateways, each in its own process.
  const switchyard = await startChild(
    path.join(HERE, "serve.ts"),
    [],
    { DATABASE_URL: url },
    { tsx: true, nodeFlags: args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [] },
  );
  const portkeyPort = 18787;
  const portkey = await startChild(
    path.resolve("node_modules/@portkey-ai/gateway/build/start-server.js"),
    [`--port=${portkeyPort}`, "--headless"],
    {},
    { tsx: false, ready: (line) => line.includes("Ready for connections") },
  );

  const messages = [{ role: "user", content: "Say hello." }];
  const json = { "content-type": "application/json" };
  const targets: Target[] = [
    {
      name: "direct upstream",
      pid: upstream.child.pid!,
      url: `${upstreamOrigin}/v1/chat/completions`,
      headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` },
      body: JSON.stringify({ model: "fake-model", messages }),
    },
    {
      name: "Switchyard gateway (log on)",
      pid: switchyard.child.pid!,
      url: `${String(switchyard.first.origin)}/v1/chat/completions`,
      headers: { ...json, authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: "bench-gpt", messages }),
    },
    {
      name: "Portkey gateway 1.15.2",
      pid: portkey.child.pid!,
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: {
        ...json,
        authorization: `Bearer ${UPSTREAM_KEY}`,
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${upstreamOrigin}/v1`,
      },
      body: JSON.stringify({ model: "fake-model", messages }),
    },
  ];

  const results: { target: Target; fixed: Measured; max: Measured }[] = [];
  for (const target of targets) {
    const res = await waitUntilUp(target.url, { method: "POST", headers: target.headers, body: target.body });
    if (target.name.startsWith("Switchyard") && !res.headers.get("x-switchyard-model-version"))
      throw new Error("the Switchyard answer lacks x-switchyard-model-version");
    await measure(target, WARMUP); // warm-up: JIT, connection pools, key cache
    const fixed = await measure(target, DURATION, RATE);
    const max = await measure(target, DURATION);
    results.push({ target, fixed, max });
    console.log(
      `${target.name}: @${RATE}/s p50 ${fixed.p50.toFixed(3)} ms p99 ${fixed.p99.toFixed(3)} ms (${fixed.rps.toFixed(0)} req/s, non-2xx ${fixed.non2xx}, errors ${fixed.errors}); ` +
        `max ${max.rps.toFixed(0)} req/s p50 ${max.p50.toFixed(3)} ms (non-2xx ${max.non2xx}, errors ${max.errors}); ` +
        `CPU per request ${fixed.cpuUs.toFixed(0)} µs @rate, ${max.cpuUs.toFixed(0)} µs @max`,
    );
  }

  // 5. Stop the gateway first so its writer flushes, then count the rows it logged.
  const stats = await stopChild(switchyard.child);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = Number((await client.query("SELECT count(*) FROM request_log")).rows[0].count);
  await client.end();
  await stopChild(portkey.child);
  await stopChild(upstream.child);

  const [direct, ...gateways] = results;
  console.log(
    "\n| target | p50 @rate (ms) | p99 @rate (ms) | added p50 | added p99 | max req/s | p50 @max (ms) | CPU µs/req @max | non-2xx / errors |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results) {
    const added =
      r === direct
        ? ["—", "—"]
        : [r.fixed.p50 - direct.fixed.p50, r.fixed.p99 - direct.fixed.p99].map((x) => `${(x as number).toFixed(3)}`);
    console.log(
      `| ${r.target.name} | ${r.fixed.p50.toFixed(3)} | ${r.fixed.p99.toFixed(3)} | ${added[0]} | ${added[1]} | ${r.max.rps.toFixed(0)} | ${r.max.p50.toFixed(3)} | ${r.max.cpuUs.toFixed(0)} | ${r.fixed.non2xx + r.max.non2xx} / ${r.fixed.errors + r.max.errors} |`,
    );
  }
  const [sy, pk] = gateways;
  console.log(`\nSwitchyard / Portkey max throughput: ${(sy.max.rps / pk.max.rps).toFixed(2)}x`);
  const sent = sy.fixed.requests + sy.max.requests;
  console.log(
    `request-log writer at shutdown: ${JSON.stringify((stats as { stats?: unknown } | null)?.stats ?? null)}`,
  );
  console.log(
    `request_log rows: ${rows} (measured Switchyard requests: ${sent}, plus warm-up and the readiness probe)`,
  );
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}, ${os.cpus().length} CPUs`,
  );
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) await stopChild(child);
  for (const cleanup of cleanups) await cleanup().catch((e) => console.error("cleanup:", e));
}
