/**
 * Gateway overhead: the standalone Switchyard gateway (request log ON: the real batching writer on a real
 * Postgres) and Portkey's open-source gateway, both in front of the same zero-delay fake OpenAI upstream, against
 * that upstream called directly, and a bare node:http proxy (the floor for any Node gateway here). Each server runs
 * in its own child process; the load comes from here. CPU time per request is read from /proc per process.
 *
 *   npx tsx bench/gateway/run.ts [--rounds 5] [--duration 6] [--max-duration 5] [--settle 2] [--rate 500]
 *                                [--connections 10] [--warmup 3] [--profile DIR]
 *                                [--console]   (also /v1 on the console's port: needs a production build)
 *                                [--no-tools]  (skip the streamed tool-calling request: direct, Switchyard, bare proxy)
 *
 * Per target and round: (a) a fixed rate for --duration s, evenly paced and open-loop (paced.ts: why not
 * autocannon's overallRate is explained there): latency p50/p99 from when each request was sent; (b) no rate limit
 * (autocannon, --connections) for --max-duration s: max req/s and p50, from autocannon's per-response times (float
 * ms). Rounds interleave the targets; each figure is the median over the rounds. Added latency = per round the
 * gateway minus the direct call, then the median.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import {
  cpuTimeUs,
  HERE,
  machineTicks,
  median,
  setUpGatewayBench,
  startChild,
  stopChild,
  tearDown,
  treeCpuUs,
  UPSTREAM_KEY,
  waitUntilUp,
} from "./harness";
import { paced } from "./paced";
import { TOOL_MESSAGES, TOOLS } from "./tool-request";

const { values: args } = parseArgs({
  options: {
    /** Seconds per paced (fixed-rate) measurement, per target per round. */
    duration: { type: "string", default: "6" },
    /** Seconds per full-speed measurement, per target per round. */
    "max-duration": { type: "string", default: "5" },
    rounds: { type: "string", default: "5" },
    /** Seconds at the rate, unmeasured, before each paced measurement. */
    settle: { type: "string", default: "2" },
    rate: { type: "string", default: "500" },
    connections: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    /** Write a V8 CPU profile of the Switchyard gateway process into this folder. */
    profile: { type: "string" },
    /** Also measure /v1 on the console's port (`npm start`'s process: Next plus the gateway mounted before it). */
    console: { type: "boolean", default: false },
    /** Also measure a streamed tool-calling request (direct, Switchyard, the bare proxy). On by default. */
    tools: { type: "boolean", default: true },
  },
  allowNegative: true,
});
const DURATION = Number(args.duration);
const MAX_DURATION = Number(args["max-duration"]);
const ROUNDS = Number(args.rounds);
const SETTLE = Number(args.settle);
const RATE = Number(args.rate);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);

interface Target {
  name: string;
  /** The process serving it: its CPU time per request is measured from /proc (robust to a busy machine). */
  pid: number;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** What its added latency is measured against (the direct call with the same request); none: it is a baseline. */
  baseline?: Target;
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
  /** Paced runs: the generator's own p99 lateness in sending. */
  sendLagP99Ms?: number;
  /** Full-speed runs: CPU µs per request of the rest of the machine's work (the two cores are shared). */
  side?: SideCpu;
}
/** Load generator (this process), upstream process, Postgres (postmaster and backends). */
interface SideCpu {
  generator: number;
  upstream: number;
  postgres: number;
  /** Share of the machine's CPU time the hypervisor gave to others during the run (steal), in %. */
  stealPct: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;

/** Field by field, the median over the rounds (requests and failures: the totals). */
function medianOf(ms: Measured[]): Measured {
  return {
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    rps: median(ms.map((m) => m.rps)),
    cpuUs: median(ms.map((m) => m.cpuUs)),
    side: ms[0]?.side && {
      generator: median(ms.map((m) => m.side?.generator ?? 0)),
      upstream: median(ms.map((m) => m.side?.upstream ?? 0)),
      postgres: median(ms.map((m) => m.side?.postgres ?? 0)),
      stealPct: median(ms.map((m) => m.side?.stealPct ?? 0)),
    },
    requests: ms.reduce((n, m) => n + m.requests, 0),
    non2xx: ms.reduce((n, m) => n + m.non2xx, 0),
    errors: ms.reduce((n, m) => n + m.errors, 0),
  };
}
/** Added latency: per round the gateway minus the direct call in that round, then the median. */
const addedMedian = (gateway: Measured[], direct: Measured[], field: "p50" | "p99") =>
  median(gateway.map((m, i) => m[field] - direct[i][field]));
const failures = (r: { fixedRounds: Measured[]; maxRounds: Measured[] }, field: "non2xx" | "errors") =>
  [...r.fixedRounds, ...r.maxRounds].reduce((n, m) => n + m[field], 0);

const stealPercent = (before: { total: number; steal: number }, after: { total: number; steal: number }) =>
  (100 * (after.steal - before.steal)) / Math.max(1, after.total - before.total);

let upstreamPid = 0;
let pgPid = 0;

/** No rate: autocannon at full speed on CONNECTIONS connections. A rate: the paced open-loop generator. */
async function measure(target: Target, seconds: number, rate?: number): Promise<Measured> {
  const cpuBefore = cpuTimeUs(target.pid);
  if (rate) {
    const result = await paced({ ...target, rate, seconds, connections: CONNECTIONS });
    const times = result.latenciesMs;
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      rps: result.rps,
      requests: result.requests,
      non2xx: result.non2xx,
      errors: result.errors,
      cpuUs: (cpuTimeUs(target.pid) - cpuBefore) / Math.max(1, result.requests),
      sendLagP99Ms: result.sendLagP99Ms,
    };
  }
  const times: number[] = [];
  const sideBefore = {
    generator: process.cpuUsage(),
    upstream: cpuTimeUs(upstreamPid),
    postgres: treeCpuUs(pgPid),
    ticks: machineTicks(),
  };
  const run = autocannon({
    url: target.url,
    method: "POST",
    headers: target.headers,
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  run.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) times.push(ms);
  });
  const result = await run;
  const n = Math.max(1, result.requests.total);
  const cpuUs = (cpuTimeUs(target.pid) - cpuBefore) / n;
  const generator = process.cpuUsage(sideBefore.generator);
  const side = {
    generator: (generator.user + generator.system) / n,
    upstream: (cpuTimeUs(upstreamPid) - sideBefore.upstream) / n,
    postgres: (treeCpuUs(pgPid) - sideBefore.postgres) / n,
    stealPct: stealPercent(sideBefore.ticks, machineTicks()),
  };
  times.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuUs,
    side,
  };
}

try {
  // 1-2. The upstream, Postgres, a project with a key and an upstream model.
  const { upstream, upstreamOrigin, url, key, pgPid: pg0 } = await setUpGatewayBench();
  upstreamPid = upstream.child.pid!;
  pgPid = pg0;

  // 3. The gateways, each in its own process.
  const switchyard = await startChild(
    path.join(HERE, "serve.ts"),
    [],
    { DATABASE_URL: url },
    {
      tsx: true,
      bundle: true,
      nodeFlags: args.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(args.profile)}`] : [],
    },
  );
  const portkeyPort = 18787;
  const portkey = await startChild(
    path.resolve("node_modules/@portkey-ai/gateway/build/start-server.js"),
    [`--port=${portkeyPort}`, "--headless"],
    {},
    { tsx: false, ready: (line) => line.includes("Ready for connections") },
  );

  const consoleApp = args.console
    ? await startChild(
        path.resolve("scripts/run.mjs"),
        ["scripts/start.ts"],
        {
          DATABASE_URL: url,
          PORT: "3499",
          HOST: "127.0.0.1",
          SWITCHYARD_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-console-")),
        },
        { tsx: false, ready: (line) => line.includes("console ready") },
      )
    : null;
  const bare = await startChild(
    path.join(HERE, "bare-proxy.ts"),
    [],
    { UPSTREAM_ORIGIN: upstreamOrigin },
    { tsx: true, bundle: true },
  );

  const messages = [{ role: "user", content: "Say hello." }];
  const json = { "content-type": "application/json" };
  const upstreamAuth = { ...json, authorization: `Bearer ${UPSTREAM_KEY}` };
  const portkeyHeaders = {
    ...upstreamAuth,
    "x-portkey-provider": "openai",
    "x-portkey-custom-host": `${upstreamOrigin}/v1`,
  };
  const text = (model: string) => JSON.stringify({ model, messages });
  // A streamed tool-calling request as an agent sends it: two tool definitions, a streamed tool call back.
  const tools = (model: string) =>
    JSON.stringify({ model, messages: TOOL_MESSAGES, tools: TOOLS, tool_choice: "auto", stream: true });
  const direct: Target = {
    name: "direct upstream",
    pid: upstream.child.pid!,
    url: `${upstreamOrigin}/v1/chat/completions`,
    headers: upstreamAuth,
    body: text("fake-model"),
  };
  const directTools: Target = { ...direct, name: "direct upstream (tools, streamed)", body: tools("fake-model") };
  const switchyardUrl = `${String(switchyard.first.origin)}/v1/chat/completions`;
  const portkeyUrl = `http://127.0.0.1:${portkeyPort}/v1/chat/completions`;
  const targets: Target[] = [
    direct,
    {
      name: "Switchyard gateway (log on)",
      pid: switchyard.child.pid!,
      url: switchyardUrl,
      headers: { ...json, authorization: `Bearer ${key}` },
      body: text("bench-gpt"),
      baseline: direct,
    },
    {
      name: "Portkey gateway 1.15.2",
      pid: portkey.child.pid!,
      url: portkeyUrl,
      headers: portkeyHeaders,
      body: text("fake-model"),
      baseline: direct,
    },
    ...(consoleApp
      ? [
          {
            name: "Switchyard on the console port (Next process)",
            pid: consoleApp.child.pid!,
            url: "http://127.0.0.1:3499/v1/chat/completions",
            headers: { ...json, authorization: `Bearer ${key}` },
            body: text("bench-gpt"),
            baseline: direct,
          },
        ]
      : []),
    {
      name: "bare node:http proxy (floor)",
      pid: bare.child.pid!,
      url: `${String(bare.first.origin)}/v1/chat/completions`,
      headers: json,
      body: text("fake-model"),
      baseline: direct,
    },
    ...(args.tools
      ? [
          directTools,
          {
            name: "Switchyard gateway (tools, streamed)",
            pid: switchyard.child.pid!,
            url: switchyardUrl,
            headers: { ...json, authorization: `Bearer ${key}` },
            body: tools("bench-gpt"),
            baseline: directTools,
          },
          // Not Portkey: on Node 20 every streamed answer fails inside it (its stream handler appends headers to
          // a Response whose headers are immutable: "TypeError: immutable", a 500), text or tools alike.
          {
            name: "bare node:http proxy (tools, streamed)",
            pid: bare.child.pid!,
            url: `${String(bare.first.origin)}/v1/chat/completions`,
            headers: json,
            body: tools("fake-model"),
            baseline: directTools,
          },
        ]
      : []),
  ];

  // 4. Warm every target, then measure in rounds: each round runs every target once, so a burst of noise on this
  // shared machine hits one round of each rather than all of one target. Per target the median of the rounds.
  for (const target of targets) {
    const res = await waitUntilUp(target.url, { method: "POST", headers: target.headers, body: target.body });
    if (target.name.startsWith("Switchyard") && !res.headers.get("x-switchyard-model-version"))
      throw new Error("the Switchyard answer lacks x-switchyard-model-version");
    // Every gateway must hand the streamed tool call through, fragments and all.
    if (target.body.includes('"tools"') && !(await res.text()).includes('"arguments":"is\\",\\"unit\\":\\"c\\"}"'))
      throw new Error(`${target.name} did not stream the tool call's argument fragments through`);
    await measure(target, WARMUP); // warm-up: JIT, connection pools, key cache
  }
  const rounds = new Map<Target, { fixed: Measured[]; max: Measured[] }>(
    targets.map((t) => [t, { fixed: [], max: [] }]),
  );
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of targets) {
      // Unmeasured: the same rate for --settle s first. The target sat idle while the others ran, so its caches
      // (keys, versions: seconds of TTL) expired and idle upstream connections closed; this measures the steady
      // state at the rate, not the first requests after half a minute of silence.
      await measure(target, SETTLE, RATE);
      rounds.get(target)!.fixed.push(await measure(target, DURATION, RATE));
    }
    for (const target of targets) rounds.get(target)!.max.push(await measure(target, MAX_DURATION));
    console.log(`round ${round}/${ROUNDS} done`);
  }
  const results = targets.map((target) => {
    const { fixed, max } = rounds.get(target)!;
    const r = { target, fixed: medianOf(fixed), max: medianOf(max), fixedRounds: fixed, maxRounds: max };
    console.log(
      `${target.name}: @${RATE}/s p50 ${fixed.map((m) => m.p50.toFixed(2)).join(" ")} | p99 ${fixed.map((m) => m.p99.toFixed(2)).join(" ")} ms` +
        ` | send lag p99 ${fixed.map((m) => m.sendLagP99Ms?.toFixed(1)).join(" ")} ms | max ${max.map((m) => m.rps.toFixed(0)).join(" ")} req/s` +
        ` | CPU ${fixed.map((m) => m.cpuUs.toFixed(0)).join(" ")} µs @rate, ${max.map((m) => m.cpuUs.toFixed(0)).join(" ")} µs @max`,
    );
    return r;
  });

  // 5. Stop the gateway first so its writer flushes, then count the rows it logged.
  const stats = await stopChild(switchyard.child);
  if (consoleApp) await stopChild(consoleApp.child);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = Number((await client.query("SELECT count(*) FROM request_log")).rows[0].count);
  await client.end();
  await stopChild(portkey.child);
  await stopChild(bare.child);
  await stopChild(upstream.child);

  const byTarget = new Map(results.map((r) => [r.target, r]));
  console.log(
    "\n| target | p50 @rate (ms) | p99 @rate (ms) | added p50 | added p99 | max req/s | p50 @max (ms) | CPU µs/req @max | non-2xx / errors |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results) {
    const base = r.target.baseline && byTarget.get(r.target.baseline);
    const added = !base
      ? ["—", "—"]
      : [addedMedian(r.fixedRounds, base.fixedRounds, "p50"), addedMedian(r.fixedRounds, base.fixedRounds, "p99")].map(
          (x) => x.toFixed(3),
        );
    console.log(
      `| ${r.target.name} | ${r.fixed.p50.toFixed(3)} | ${r.fixed.p99.toFixed(3)} | ${added[0]} | ${added[1]} | ${r.max.rps.toFixed(0)} | ${r.max.p50.toFixed(3)} | ${r.max.cpuUs.toFixed(0)} | ${failures(r, "non2xx")} / ${failures(r, "errors")} |`,
    );
  }
  console.log("\nCPU µs per request at max, the rest of the machine (median over rounds):");
  for (const r of results) {
    const side = r.max.side;
    if (!side) continue;
    // The direct call's target is the upstream itself.
    const total = r.max.cpuUs + side.generator + (r.target.pid === upstreamPid ? 0 : side.upstream) + side.postgres;
    console.log(
      `  ${r.target.name}: target ${r.max.cpuUs.toFixed(0)}, load generator ${side.generator.toFixed(0)}, upstream ${side.upstream.toFixed(0)}, Postgres ${side.postgres.toFixed(0)}, steal ${side.stealPct.toFixed(1)} %; all ${total.toFixed(0)} µs = ${((total * r.max.rps) / 1e6).toFixed(2)} cores busy`,
    );
  }
  const named = (prefix: string) => results.find((r) => r.target.name.startsWith(prefix))!;
  const [sy, pk, floor] = [named("Switchyard gateway (log on)"), named("Portkey gateway 1.15.2"), named("bare")];
  console.log(`\nSwitchyard / Portkey max throughput: ${(sy.max.rps / pk.max.rps).toFixed(2)}x`);
  if (args.tools) {
    const [syt, bt] = [named("Switchyard gateway (tools"), named("bare node:http proxy (tools")];
    console.log(
      `Streamed tool calls, max throughput: Switchyard ${syt.max.rps.toFixed(0)} req/s, bare proxy ${bt.max.rps.toFixed(0)} req/s; CPU ${syt.max.cpuUs.toFixed(0)} vs ${bt.max.cpuUs.toFixed(0)} µs/req`,
    );
  }
  console.log(
    `CPU per request at max: Switchyard ${sy.max.cpuUs.toFixed(0)} µs, Portkey ${pk.max.cpuUs.toFixed(0)} µs (${(pk.max.cpuUs / sy.max.cpuUs).toFixed(2)}x), bare proxy ${floor.max.cpuUs.toFixed(0)} µs`,
  );
  // Both Switchyard processes log into the same database.
  const sent = results
    .filter((r) => r.target.name.startsWith("Switchyard"))
    .reduce((n, r) => n + [...r.fixedRounds, ...r.maxRounds].reduce((k, m) => k + m.requests, 0), 0);
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
  await tearDown();
}
