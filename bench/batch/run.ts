/**
 * Batch throughput: a batch of --lines chat requests (`/v1/batches`, run by one `npm run worker` process at
 * --concurrency lines at once) against the same lines sent straight to the gateway by a client at the same
 * concurrency (keep-alive connections, each sending its next request when the last is answered), both in front of the same zero-delay upstream and Postgres,
 * in the same run. Rounds alternate the two; the figure is the median over the rounds.
 *
 *   npx tsx bench/batch/run.ts [--lines 10000] [--concurrency 32] [--rounds 3]
 *
 * Batch time runs from the create call's answer to `completed` as `batches.retrieve` reports it (polled every
 * 50 ms): validation, every line through the gateway pipeline, results and log rows stored, output file written.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { chatLine, storeInputFile } from "@/server/modules/batches/testing";
import { HERE, median, setUpGatewayBench, startChild, tearDown } from "../gateway/harness";

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "32" },
    rounds: { type: "string", default: "3" },
  },
});
const LINES = Number(args.lines);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);

const dataDir = await mkdtemp(path.join(os.tmpdir(), "switchyard-bench-batch-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

async function main() {
  const setup = await setUpGatewayBench();
  const env = { DATABASE_URL: setup.url, SWITCHYARD_DATA_DIR: dataDir };
  const gateway = await startChild(path.join(HERE, "serve.ts"), [], env, { tsx: true, bundle: true });
  const origin = String(gateway.first.origin);
  await startChild(
    path.resolve("scripts/worker.ts"),
    [],
    { ...env, SWITCHYARD_BATCH_CONCURRENCY: String(CONCURRENCY) },
    {
      tsx: true,
      bundle: true,
      ready: (line) => line.includes("runs batch"),
      // BATCH_PROFILE=DIR: a CPU profile of the worker (written when it exits).
      nodeFlags: process.env.BATCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BATCH_PROFILE}`] : [],
    },
  );
  const headers = { authorization: `Bearer ${setup.key}`, "content-type": "application/json" };
  const body = { model: "bench-gpt", messages: [{ role: "user", content: "Hello, bench" }] };

  // The client: CONCURRENCY keep-alive connections, each sending the next request as soon as its answer is in,
  // until LINES answers (autocannon's `amount` finishes on its 1 s tick, which would round the time up).
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const payload = JSON.stringify(body);
  async function direct(): Promise<number> {
    let sent = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (sent < LINES) {
          sent++;
          const res = await pool.request({ path: "/v1/chat/completions", method: "POST", headers, body: payload });
          await res.body.text();
          if (res.statusCode !== 200) failed++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (failed) throw new Error(`direct: ${failed} answers were not 200`);
    return LINES / seconds;
  }

  async function batch(round: number, count = LINES): Promise<number> {
    const lines = Array.from({ length: count }, (_, i) => chatLine(`r${round}-${i}`, "bench-gpt", "Hello, bench"));
    const inputFileId = await storeInputFile(
      setup.db,
      (await setup.db.apiKey.findUniqueOrThrow({ where: { id: setup.keyId } })).projectId,
      lines,
    );
    const started = performance.now();
    const created = await fetch(`${origin}/v1/batches`, {
      method: "POST",
      headers,
      body: JSON.stringify({ input_file_id: inputFileId, endpoint: "/v1/chat/completions", completion_window: "24h" }),
    });
    if (!created.ok) throw new Error(`create: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    for (;;) {
      const res = await fetch(`${origin}/v1/batches/${id}`, { headers });
      const b = (await res.json()) as {
        status: string;
        request_counts: { completed: number; failed: number };
        created_at: number;
        in_progress_at: number | null;
        finalizing_at: number | null;
        completed_at: number | null;
      };
      if (b.status === "completed") {
        const at = (t: number | null) => (t === null ? "-" : `${t - b.created_at}s`);
        console.log(
          `  batch ${id}: in progress ${at(b.in_progress_at)}, finalizing ${at(b.finalizing_at)}, completed ${at(b.completed_at)}`,
        );
        if (b.request_counts.completed !== count) throw new Error(`batch: ${JSON.stringify(b.request_counts)}`);
        return count / ((performance.now() - started) / 1000);
      }
      if (["failed", "cancelled", "expired"].includes(b.status)) throw new Error(`batch ended ${b.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // Warm-up of both paths alike: connections, caches, JIT.
  await direct();
  await batch(0, Math.min(LINES, 2000));
  const directRates: number[] = [];
  const batchRates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const d = await direct();
    const b = await batch(round);
    directRates.push(d);
    batchRates.push(b);
    console.log(
      `round ${round}: direct ${d.toFixed(0)} req/s, batch ${b.toFixed(0)} lines/s (${((b / d) * 100).toFixed(1)} %)`,
    );
  }
  const d = median(directRates);
  const b = median(batchRates);
  console.log(
    JSON.stringify({
      lines: LINES,
      concurrency: CONCURRENCY,
      directPerS: Math.round(d),
      batchPerS: Math.round(b),
      ratio: Number((b / d).toFixed(3)),
    }),
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(tearDown);
