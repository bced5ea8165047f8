/**
 * Memory over a long run: the standalone gateway (request log on) under a fixed request rate of mixed traffic —
 * JSON and streamed chat completions, cache hits (temperature 0), unknown models (404), malformed bodies (400),
 * and a stored route with two deployments and a pipeline (PII masking in and out, a blocklist that refuses some
 * requests), all with a key that has (generous) limits so its counters are kept — for --minutes, sampling its memory after a full GC every --sample seconds. Memory is "flat" when the heap
 * after GC does not grow over the measured window (the first --warmup seconds excluded).
 *
 *   npx tsx bench/gateway/soak.ts [--minutes 10] [--rate 300] [--connections 10] [--sample 10] [--warmup 60]
 */
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { HERE, setUpGatewayBench, startChild, stopChild, tearDown, waitUntilUp } from "./harness";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "300" },
    connections: { type: "string", default: "10" },
    sample: { type: "string", default: "10" },
    warmup: { type: "string", default: "60" },
  },
});
const SECONDS = Number(args.minutes) * 60;
const WARMUP_S = Number(args.warmup);

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  external: number;
  buffered: number;
}
const MB = 1024 * 1024;

/** Least-squares slope of y over t, per minute. */
function slopePerMinute(points: { t: number; y: number }[]): number {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const cov = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const varT = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return varT === 0 ? 0 : (cov / varT) * 60;
}

try {
  const { url, key, keyId, caller, modelId } = await setUpGatewayBench();
  // A second version of bench-gpt, and a route `soak-route` over both with a pipeline.
  await caller.models.moveAlias({ modelId, alias: "production", version: 1 });
  await caller.routes.create({
    name: "soak-route",
    format: "yaml",
    source: [
      "deployments:",
      "  - model: bench-gpt@production",
      "    weight: 3",
      "  - model: bench-gpt:1",
      "    weight: 1",
      "strategy: least-outstanding",
      "retries: { attempts: 1, backoffMs: 10, maxBackoffMs: 50 }",
      "pipeline:",
      "  input:",
      "    pii: { action: mask }",
      "    blocklist: { words: [forbidden], action: block }",
      "  output:",
      "    pii: { action: mask }",
    ].join("\n"),
  });
  await caller.apiKeys.updateLimits({ id: keyId, requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 });
  const samples: Sample[] = [];
  const started = Date.now();
  const gateway = await startChild(
    path.join(HERE, "serve.ts"),
    [],
    { DATABASE_URL: url, SOAK_SAMPLE_MS: String(Number(args.sample) * 1000) },
    {
      tsx: true,
      bundle: true,
      nodeFlags: ["--expose-gc"],
      onJson: (json) => {
        const memory = json.memory as Record<string, number> | undefined;
        const writer = json.writer as Record<string, number> | undefined;
        if (!memory || !writer) return;
        samples.push({ t: (Date.now() - started) / 1000, ...memory, buffered: writer.buffered } as Sample);
        const last = samples.at(-1)!;
        console.log(
          `t=${last.t.toFixed(0)}s rss ${(last.rss / MB).toFixed(1)} MB heap ${(last.heapUsed / MB).toFixed(1)} MB ` +
            `external ${(last.external / MB).toFixed(1)} MB log buffer ${last.buffered}`,
        );
      },
    },
  );
  const origin = String(gateway.first.origin);
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  const chat = (extra: Record<string, unknown>) =>
    JSON.stringify({ model: "bench-gpt", messages: [{ role: "user", content: "Say hello." }], ...extra });
  await waitUntilUp(`${origin}/v1/chat/completions`, { method: "POST", headers, body: chat({}) });

  const statuses = new Map<number, number>();
  const run = autocannon({
    url: `${origin}/v1/chat/completions`,
    method: "POST",
    headers,
    connections: Number(args.connections),
    duration: SECONDS,
    overallRate: Number(args.rate),
    requests: [
      { body: chat({}) },
      { body: chat({ stream: true, stream_options: { include_usage: true } }) },
      { body: chat({ temperature: 0, user: "soak" }) },
      { body: chat({ model: "no-such-model" }) },
      { body: "{ not json" },
      { body: chat({ model: "soak-route", messages: [{ role: "user", content: "Mail me at ann@example.com" }] }) },
      {
        body: chat({
          model: "soak-route",
          stream: true,
          messages: [{ role: "user", content: "Call +44 20 7946 0958" }],
        }),
      },
      { body: chat({ model: "soak-route", messages: [{ role: "user", content: "a forbidden word" }] }) },
    ],
  });
  run.on("response", (_client: unknown, status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
  const result = await run;
  const stats = await stopChild(gateway.child);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = Number((await client.query("SELECT count(*) FROM request_log")).rows[0].count);
  await client.end();

  const measured = samples.filter((s) => s.t >= WARMUP_S);
  if (measured.length < 3) throw new Error(`only ${measured.length} samples after the warm-up: run longer`);
  const first = measured[0];
  const last = measured.at(-1)!;
  const heapSlope = slopePerMinute(measured.map((s) => ({ t: s.t, y: s.heapUsed / MB })));
  const rssSlope = slopePerMinute(measured.map((s) => ({ t: s.t, y: s.rss / MB })));
  const maxHeap = Math.max(...measured.map((s) => s.heapUsed));
  console.log(
    `\n${result.requests.total} requests in ${SECONDS} s (${(result.requests.total / SECONDS).toFixed(0)}/s)`,
  );
  console.log(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}; errors ${result.errors}`);
  // autocannon counts answers it received in time; the requests in flight when it stopped (at most one per
  // connection) were answered, and logged, after it stopped listening.
  const expected = result.requests.total + 1;
  const inFlight = rows - expected;
  console.log(
    `request_log rows: ${rows} (answers counted: ${result.requests.total}, + the readiness probe, + ${inFlight} in flight at the end)`,
  );
  if (inFlight < 0 || inFlight > Number(args.connections))
    console.log(`WARNING: ${inFlight} rows more than answers: expected 0..${args.connections}`);
  console.log(`writer at shutdown: ${JSON.stringify((stats as { stats?: unknown } | null)?.stats ?? null)}`);
  console.log("\n| memory after GC | first (t≥warm-up) | last | max | slope |");
  console.log("| --- | --- | --- | --- | --- |");
  console.log(
    `| heap used | ${(first.heapUsed / MB).toFixed(1)} MB | ${(last.heapUsed / MB).toFixed(1)} MB | ${(maxHeap / MB).toFixed(1)} MB | ${heapSlope.toFixed(3)} MB/min |`,
  );
  console.log(
    `| RSS | ${(first.rss / MB).toFixed(1)} MB | ${(last.rss / MB).toFixed(1)} MB | ${(Math.max(...measured.map((s) => s.rss)) / MB).toFixed(1)} MB | ${rssSlope.toFixed(3)} MB/min |`,
  );
} finally {
  await tearDown();
}
