/**
 * Two builds of the standalone gateway side by side: the working tree against a git ref (default HEAD), each
 * bundled as `npm run gateway` runs it (scripts/lib/bundle.mjs) from bench/gateway/serve.ts, both in front of the
 * same zero-delay upstream and logging into the same Postgres. Full-speed rounds (autocannon, `--connections`)
 * alternate between the two, so the machine's drift hits both alike; per round req/s and CPU µs per request of
 * each gateway process, then the medians. On this shared machine single runs move by ±15 %: a change is only
 * a change when it shows in every round.
 *
 *   npx tsx bench/gateway/ab.ts [--base HEAD] [--rounds 5] [--duration 5] [--connections 10]
 *                               [--tree REF] [--base-env NAME=VALUE]... [--tree-env NAME=VALUE]... [--prompt]
 *
 * `--tree REF` builds the second gateway from a ref too (default: the working tree); `--base-env` / `--tree-env`
 * set environment variables for one side only, e.g. the same build with and without the request-log spool:
 * `--base HEAD --tree HEAD --base-env SWITCHYARD_LOG_SPOOL_MAX_MB=0`. `--prompt` sends `prompt:bench-prompt` (a
 * two-message chat template with two variables, served by bench-gpt) instead of `bench-gpt`: the rendering path.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { bundle } from "@/scripts/lib/bundle.mjs";
import { cpuTimeUs, HERE, median, setUpGatewayBench, startChild, tearDown } from "./harness";

const { values: args } = parseArgs({
  options: {
    base: { type: "string", default: "HEAD" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    tree: { type: "string" },
    "base-env": { type: "string", multiple: true, default: [] },
    "tree-env": { type: "string", multiple: true, default: [] },
    prompt: { type: "boolean", default: false },
  },
});

/** `NAME=VALUE` flags as an environment. */
const envOf = (pairs: string[]) =>
  Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));

/** Bundles serve.ts of `ref` (through a temporary worktree) next to the other bundles; returns the file. */
async function bundleAt(ref: string, name = "ab-base"): Promise<string> {
  const tree = mkdtempSync(path.join(os.tmpdir(), "switchyard-ab-"));
  try {
    execFileSync("git", ["worktree", "add", "--detach", tree, ref], { stdio: "ignore" });
    // The generated Prisma client is not in git.
    cpSync("server/generated", path.join(tree, "server/generated"), { recursive: true });
    return await bundle(path.join(tree, "bench/gateway/serve.ts"), {
      name,
      tsconfig: path.join(tree, "tsconfig.json"),
    });
  } finally {
    execFileSync("git", ["worktree", "remove", "--force", tree], { stdio: "ignore" });
    rmSync(tree, { recursive: true, force: true });
  }
}

try {
  const baseFile = await bundleAt(args.base);
  const treeFile = args.tree ? await bundleAt(args.tree, "ab-tree") : null;
  const { url, key, caller } = await setUpGatewayBench();
  if (args.prompt) {
    const prompt = await caller.prompts.create({
      name: "bench-prompt",
      type: "chat",
      template: [
        { role: "system", content: "You are {{ persona }}. Answer in one sentence." },
        { role: "user", content: "{{ question }}" },
      ],
      config: { model: "bench-gpt" },
    });
    await caller.prompts.moveLabel({ promptId: prompt.promptId, label: "production", version: 1 });
  }
  const env = { DATABASE_URL: url };
  const baseEnv = { ...env, ...envOf(args["base-env"]) };
  const treeEnv = { ...env, ...envOf(args["tree-env"]) };
  const flags = (pairs: string[]) => (pairs.length ? ` ${pairs.join(" ")}` : "");
  const builds = [
    {
      name: `base (${args.base}${flags(args["base-env"])})`,
      child: await startChild(baseFile, [], baseEnv, { tsx: false }),
    },
    {
      name: `${args.tree ? `tree (${args.tree}` : "(working tree"}${flags(args["tree-env"])})`,
      child: treeFile
        ? await startChild(treeFile, [], treeEnv, { tsx: false })
        : await startChild(path.join(HERE, "serve.ts"), [], treeEnv, { tsx: true, bundle: true }),
    },
  ];
  const body = JSON.stringify(
    args.prompt
      ? {
          model: "prompt:bench-prompt",
          messages: [],
          variables: { persona: "a helpful guide", question: "Say hello." },
        }
      : { model: "bench-gpt", messages: [{ role: "user", content: "Say hello." }] },
  );
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  const results = builds.map(() => ({ rps: [] as number[], cpu: [] as number[] }));
  const run = async (i: number, duration: number) => {
    const { child, first } = builds[i].child;
    const before = cpuTimeUs(child.pid!);
    const r = await autocannon({
      url: `${String(first.origin)}/v1/chat/completions`,
      method: "POST",
      headers,
      body,
      connections: Number(args.connections),
      duration,
    });
    if (r.non2xx || r.errors) throw new Error(`${builds[i].name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { rps: r.requests.total / r.duration, cpu: (cpuTimeUs(child.pid!) - before) / r.requests.total };
  };
  for (let i = 0; i < builds.length; i++) await run(i, 3); // warm-up
  for (let round = 1; round <= Number(args.rounds); round++) {
    const line: string[] = [];
    for (let i = 0; i < builds.length; i++) {
      const { rps, cpu } = await run(i, Number(args.duration));
      results[i].rps.push(rps);
      results[i].cpu.push(cpu);
      line.push(`${builds[i].name} ${rps.toFixed(0)} req/s ${cpu.toFixed(0)} µs/req`);
    }
    console.log(`round ${round}: ${line.join(" | ")}`);
  }
  for (let i = 0; i < builds.length; i++)
    console.log(
      `${builds[i].name}: median ${median(results[i].rps).toFixed(0)} req/s, ${median(results[i].cpu).toFixed(0)} µs CPU per request`,
    );
} finally {
  await tearDown();
}
