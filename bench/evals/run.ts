/**
 * Eval-run throughput: an eval of --cases cases x 2 versions of a model (`bench-gpt@1`, `bench-gpt@2`, the same
 * zero-delay upstream) scored by a deterministic evaluator (`exact`), run by one `npm run worker` process at
 * --concurrency calls in flight, against the same calls sent straight to the gateway over HTTP by a client at the
 * same concurrency (keep-alive connections, each sending its next request when the last is answered), in the same
 * run, in front of the same upstream and Postgres. Rounds alternate the two; the figure is the median.
 *
 *   npx tsx bench/evals/run.ts [--cases 1000] [--concurrency 32] [--rounds 3]
 *
 * Eval time runs from the create call's answer (as bench/batch does) to `completed` in eval_runs (polled every 50 ms): the job picked
 * up, the cases read, every call through the gateway pipeline, scored, stored with its request-log row, the
 * summary written.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { systemCaller } from "@/server/auth/caller";
import { importQuery } from "@/server/modules/datasets/schemas";
import { importDataset } from "@/server/modules/datasets/service";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { HERE, median, setUpGatewayBench, startChild, tearDown, UPSTREAM_KEY } from "../gateway/harness";

const { values: args } = parseArgs({
  options: {
    cases: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
  },
});
const CASES = Number(args.cases);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const VERSIONS = ["bench-gpt@1", "bench-gpt@2"];
const CALLS = CASES * VERSIONS.length;

const dataDir = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-evals-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

async function main() {
  const setup = await setUpGatewayBench();
  const { db, caller } = setup;
  // The second version: same upstream, so the two columns cost the same and differ only in what they are.
  await caller.models.createVersion({
    modelId: setup.modelId,
    endpointBaseUrl: `${setup.upstreamOrigin}/v1`,
    upstreamModelId: "fake-model",
    apiKey: UPSTREAM_KEY,
  });
  const projectId = (await db.apiKey.findUniqueOrThrow({ where: { id: setup.keyId } })).projectId;
  const rows = Array.from({ length: CASES }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `Case ${i}: say hello` },
        { role: "assistant", content: "hello" },
      ],
    }),
  );
  const imported = await importDataset(
    { db, caller: systemCaller(projectId) },
    {
      ...importQuery.parse({ name: "bench", format: "chat" }),
      source: [new TextEncoder().encode(`${rows.join("\n")}\n`)],
    },
  );
  await db.evaluator.create({
    data: {
      projectId,
      name: "exact",
      versions: { create: { version: 1, type: "exact", config: { useExpected: true }, createdByLabel: "bench" } },
    },
  });
  await jobEngine(setup.url);

  const env = { DATABASE_URL: setup.url, SWITCHYARD_DATA_DIR: dataDir };
  const gateway = await startChild(path.join(HERE, "serve.ts"), [], env, { tsx: true, bundle: true });
  const origin = String(gateway.first.origin);
  await startChild(path.resolve("scripts/worker.ts"), [], env, {
    tsx: true,
    bundle: true,
    ready: (line) => line.includes("eval.run"),
    // EVALS_PROFILE=DIR: a CPU profile of the worker (written when it exits).
    nodeFlags: process.env.EVALS_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.EVALS_PROFILE}`] : [],
  });

  // The client: CONCURRENCY keep-alive connections, each sending the next call as soon as its answer is in.
  const headers = { authorization: `Bearer ${setup.key}`, "content-type": "application/json" };
  const bodies = VERSIONS.flatMap((model) =>
    Array.from({ length: CASES }, (_, i) =>
      JSON.stringify({ model, messages: [{ role: "user", content: `Case ${i}: say hello` }] }),
    ),
  );
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  async function direct(): Promise<number> {
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CALLS) {
          const body = bodies[next++];
          const res = await pool.request({ path: "/v1/chat/completions", method: "POST", headers, body });
          await res.body.text();
          if (res.statusCode !== 200) failed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (failed) throw new Error(`direct: ${failed} answers were not 200`);
    return CALLS / seconds;
  }

  async function evalRun(caseLimit = CASES): Promise<number> {
    const { id } = await caller.evalRuns.create({
      datasetVersionId: imported.version.id,
      targets: VERSIONS.map((model) => ({ model })),
      evaluators: [{ name: "exact" }],
      concurrency: CONCURRENCY,
      caseLimit,
    });
    const started = performance.now();
    for (;;) {
      const run = await db.evalRun.findUniqueOrThrow({ where: { id } });
      if (run.status === "completed") {
        const seconds = (performance.now() - started) / 1000;
        const calls = caseLimit * VERSIONS.length;
        const errors = await db.evalResult.count({ where: { runId: id, error: { not: null } } });
        if (run.doneCases !== calls || errors) throw new Error(`eval: ${run.doneCases} results, ${errors} errors`);
        const at = (t: Date | null) => `${(((t?.getTime() ?? 0) - run.createdAt.getTime()) / 1000).toFixed(2)} s`;
        console.log(
          `  eval ${id}: started ${at(run.startedAt)}, finished ${at(run.finishedAt)}, seen ${seconds.toFixed(2)} s`,
        );
        return calls / seconds;
      }
      if (["failed", "cancelled"].includes(run.status)) throw new Error(`eval ended ${run.status}: ${run.error}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // Warm-up of both paths alike: connections, caches, JIT.
  await direct();
  await evalRun(Math.min(CASES, 500));
  const directRates: number[] = [];
  const evalRates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const d = await direct();
    const e = await evalRun();
    directRates.push(d);
    evalRates.push(e);
    console.log(
      `round ${round}: direct ${d.toFixed(0)} calls/s, eval ${e.toFixed(0)} calls/s (${((e / d) * 100).toFixed(1)} %)`,
    );
  }
  const d = median(directRates);
  const e = median(evalRates);
  console.log(
    JSON.stringify({
      cases: CASES,
      versions: VERSIONS.length,
      concurrency: CONCURRENCY,
      directPerS: Math.round(d),
      evalPerS: Math.round(e),
      ratio: Number((e / d).toFixed(3)),
    }),
  );
  await pool.close();
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopJobEngine(0).catch(() => {});
    await tearDown();
  });
