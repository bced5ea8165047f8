/**
 * What each guardrail adds to a streamed answer: time to the first content token (TTFT) and to the end, through
 * HTTP to the standalone gateway (request log on), against the same route without guards in the same run. The
 * upstream streams like a hosted model: the first token after `--first-ms`, then one ~5-character token every
 * `--gap-ms`. Rounds interleave the configs (baseline, then each guard) so drift hits all alike; figures are
 * medians over `--reps` requests of each.
 *
 *   npx tsx bench/gateway/guards.ts [--reps 15] [--first-ms 40] [--gap-ms 20] [--tokens 60]
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { cleanups, HERE, median, setUpGatewayBench, startChild, tearDown, UPSTREAM_KEY } from "./harness";

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "15" },
    "first-ms": { type: "string", default: "40" },
    "gap-ms": { type: "string", default: "20" },
    tokens: { type: "string", default: "60" },
  },
});
const REPS = Number(args.reps);
const FIRST_MS = Number(args["first-ms"]);
const GAP_MS = Number(args["gap-ms"]);
const TOKENS = Number(args.tokens);

/** Route pipelines measured, each against the same paced upstream; the first is the baseline. */
const CONFIGS: [string, string][] = [
  ["baseline (no guards)", "{}"],
  ["input blocklist", "{ input: { blocklist: { words: [forbidden, secret-project] } } }"],
  ["input regex", "{ input: { regex: [{ name: card, pattern: '\\b(?:\\d[ -]?){13,16}\\b' }] } }"],
  ["input pii", "{ input: { pii: { action: mask } } }"],
  ["input injection", "{ input: { injection: { threshold: 0.5 } } }"],
  ["output blocklist", "{ output: { blocklist: { words: [forbidden, secret-project] } } }"],
  ["output regex (holdback 64)", "{ output: { regex: [{ name: card, pattern: '\\b(?:\\d[ -]?){13,16}\\b' }] } }"],
  [
    "output regex (holdback 16)",
    "{ output: { holdbackChars: 16, regex: [{ name: card, pattern: '\\b(?:\\d[ -]?){13,16}\\b' }] } }",
  ],
  ["output pii (holdback 64)", "{ output: { pii: { action: mask } } }"],
];

const WORDS = ["Hello", " there", ", this", " is a", " paced", " answer", " from", " the", " fake", " model."];
const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-guards",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "paced-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

/** A streaming upstream paced like a hosted model (first token after FIRST_MS, then one every GAP_MS). */
async function startPacedUpstream(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk({ role: "assistant", content: "" }, null));
      let sent = 0;
      const next = () => {
        if (sent === TOKENS) {
          res.write(chunk({}, "stop"));
          res.end("data: [DONE]\n\n");
          return;
        }
        res.write(chunk({ content: WORDS[sent++ % WORDS.length] }, null));
        setTimeout(next, GAP_MS);
      };
      setTimeout(next, FIRST_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One streamed request: ms to the first non-empty content delta, and to the end of the stream. */
async function measure(origin: string, key: string, model: string): Promise<{ ttft: number; total: number }> {
  const t0 = performance.now();
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-switchyard-cache": "bypass" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "Say something long." }] }),
  });
  if (res.status !== 200 || !res.body) throw new Error(`${model}: status ${res.status}: ${await res.text()}`);
  let ttft = -1;
  let text = "";
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const piece = decoder.decode(read.value, { stream: true });
    if (ttft < 0 && /"content":"[^"]/.test(piece)) ttft = performance.now() - t0;
    text += piece;
  }
  const total = performance.now() - t0;
  if (ttft < 0 || !text.includes("[DONE]")) throw new Error(`${model}: no content or no [DONE]: ${text.slice(0, 300)}`);
  return { ttft, total };
}

try {
  const { url, key, caller } = await setUpGatewayBench();
  const pacedOrigin = await startPacedUpstream();
  const model = await caller.models.create({ name: "paced-gpt", provider: "openai-compatible", task: "chat" });
  await caller.models.createVersion({
    modelId: model.id,
    endpointBaseUrl: `${pacedOrigin}/v1`,
    upstreamModelId: "paced-model",
    apiKey: UPSTREAM_KEY,
  });
  const names = CONFIGS.map((_, i) => `guards-${i}`);
  for (const [i, [, pipeline]] of CONFIGS.entries())
    await caller.routes.create({
      name: names[i],
      source: `deployments: [{ model: paced-gpt }]\npipeline: ${pipeline}\n`,
    });
  const gateway = await startChild(path.join(HERE, "serve.ts"), [], { DATABASE_URL: url }, { tsx: true, bundle: true });
  const origin = String(gateway.first.origin);
  for (const name of names) await measure(origin, key, name); // warm-up: routes loaded, connections open
  const results = names.map(() => ({ ttft: [] as number[], total: [] as number[] }));
  for (let rep = 0; rep < REPS; rep++)
    for (const [i, name] of names.entries()) {
      const r = await measure(origin, key, name);
      results[i].ttft.push(r.ttft);
      results[i].total.push(r.total);
    }
  const base = { ttft: median(results[0].ttft), total: median(results[0].total) };
  console.log(
    `upstream: first token after ${FIRST_MS} ms, then ${TOKENS} tokens every ${GAP_MS} ms (~5 characters each); ${REPS} streamed requests per config, medians`,
  );
  console.log("| route pipeline | TTFT ms | added TTFT ms | total ms | added total ms |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [i, [label]] of CONFIGS.entries()) {
    const ttft = median(results[i].ttft);
    const total = median(results[i].total);
    const added = (x: number, b: number) => (i === 0 ? "—" : (x - b).toFixed(1));
    console.log(
      `| ${label} | ${ttft.toFixed(1)} | ${added(ttft, base.ttft)} | ${total.toFixed(1)} | ${added(total, base.total)} |`,
    );
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await tearDown();
  process.exit();
}
