/**
 * What a key with limits costs the gateway and PostgreSQL: the standalone gateway (bundled as `npm run gateway`
 * runs it) of the working tree and of a git ref (default HEAD), each hit at full speed (autocannon,
 * `--connections`) with a key without limits and with a key whose limits (requests and tokens per minute, a daily
 * budget) never refuse, rounds alternating so the machine's drift hits all alike. Per combination: req/s, p50,
 * gateway CPU µs per request and PostgreSQL CPU µs per request (the postmaster and its backends), medians over rounds.
 *
 *   npx tsx bench/gateway/limited-key.ts [--base HEAD] [--rounds 3] [--duration 4] [--connections 10]
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { bundle } from "@/scripts/lib/bundle.mjs";
import { cpuTimeUs, HERE, median, setUpGatewayBench, startChild, tearDown, treeCpuUs } from "./harness";

const { values: args } = parseArgs({
  options: {
    base: { type: "string", default: "HEAD" },
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "4" },
    connections: { type: "string", default: "10" },
  },
});

/** Bundles serve.ts of `ref` (through a temporary worktree); returns the file. */
async function bundleAt(ref: string): Promise<string> {
  const tree = mkdtempSync(path.join(os.tmpdir(), "switchyard-limited-"));
  try {
    execFileSync("git", ["worktree", "add", "--detach", tree, ref], { stdio: "ignore" });
    cpSync("server/generated", path.join(tree, "server/generated"), { recursive: true });
    return await bundle(path.join(tree, "bench/gateway/serve.ts"), {
      name: "limited-base",
      tsconfig: path.join(tree, "tsconfig.json"),
    });
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", tree], { stdio: "ignore" });
    rmSync(tree, { recursive: true, force: true });
  }
}

try {
  const baseFile = await bundleAt(args.base);
  const { url, key, caller, pgPid } = await setUpGatewayBench();
  const limited = await caller.apiKeys.create({
    name: "limited",
    scopes: ["gateway:invoke"],
    requestsPerMinute: 1_000_000,
    tokensPerMinute: 1_000_000_000,
    budgetUsd: 1_000_000,
    budgetPeriod: "day",
  });
  const env = { DATABASE_URL: url };
  const builds = [
    { name: `base (${args.base})`, child: await startChild(baseFile, [], env, { tsx: false }) },
    {
      name: "working tree",
      child: await startChild(path.join(HERE, "serve.ts"), [], env, { tsx: true, bundle: true }),
    },
  ];
  const keys = [
    { name: "no limits", key },
    { name: "limited", key: limited.key },
  ];
  const combos = builds.flatMap((build) =>
    keys.map((k) => ({
      build,
      key: k,
      rps: [] as number[],
      p50: [] as number[],
      cpu: [] as number[],
      pg: [] as number[],
    })),
  );
  const body = JSON.stringify({ model: "bench-gpt", messages: [{ role: "user", content: "Say hello." }] });
  const run = async (combo: (typeof combos)[number], duration: number) => {
    const { child, first } = combo.build.child;
    const before = cpuTimeUs(child.pid!);
    const pgBefore = treeCpuUs(pgPid);
    const r = await autocannon({
      url: `${String(first.origin)}/v1/chat/completions`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${combo.key.key}` },
      body,
      connections: Number(args.connections),
      duration,
    });
    if (r.non2xx || r.errors)
      throw new Error(`${combo.build.name}, ${combo.key.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return {
      rps: r.requests.total / r.duration,
      p50: r.latency.p50,
      cpu: (cpuTimeUs(child.pid!) - before) / r.requests.total,
      pg: (treeCpuUs(pgPid) - pgBefore) / r.requests.total,
    };
  };
  for (const combo of combos) await run(combo, 2); // warm-up
  for (let round = 1; round <= Number(args.rounds); round++) {
    for (const combo of combos) {
      const r = await run(combo, Number(args.duration));
      combo.rps.push(r.rps);
      combo.p50.push(r.p50);
      combo.cpu.push(r.cpu);
      combo.pg.push(r.pg);
      console.log(
        `round ${round}: ${combo.build.name}, ${combo.key.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, ` +
          `gateway ${r.cpu.toFixed(0)} µs/req, postgres ${r.pg.toFixed(0)} µs/req`,
      );
    }
  }
  for (const c of combos)
    console.log(
      `${c.build.name}, ${c.key.name}: median ${median(c.rps).toFixed(0)} req/s, p50 ${median(c.p50)} ms, ` +
        `gateway ${median(c.cpu).toFixed(0)} µs/req, postgres ${median(c.pg).toFixed(0)} µs/req`,
    );
} finally {
  await tearDown();
}
