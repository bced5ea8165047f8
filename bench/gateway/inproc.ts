/**
 * In-process cost of the gateway handler (no HTTP server in front): CPU time of this process per request, the
 * upstream in its own child process, the request log on (the real writer into an embedded Postgres), `--concurrency`
 * requests in flight. Beside it, the bare upstream exchange through node:http and undici, for what the HTTP client
 * alone costs. Phases interleaved so drift hits all alike; medians of `--reps`. `--only handler` with
 * `node --cpu-prof --import tsx` profiles the handler alone.
 *
 *   npx tsx bench/gateway/inproc.ts [--requests 20000] [--concurrency 10] [--reps 5] [--stream]
 */

import http from "node:http";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { createGatewayHandler } from "@/server/modules/gateway/handler";
import { READ_BODY_TEXT } from "@/server/modules/gateway/http-request";
import { requestLogWriter, shutdownRequestLog } from "@/server/modules/request-log/runtime";
import { DbRouteSource } from "@/server/modules/routes/db-source";
import { setUpGatewayBench, tearDown } from "./harness";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "10" },
    reps: { type: "string", default: "5" },
    stream: { type: "boolean", default: false },
    /** Only the phases whose name starts with this (e.g. `handler`, for a CPU profile of it alone). */
    only: { type: "string" },
  },
});
const N = Number(args.requests);
const C = Number(args.concurrency);

try {
  const { url, key, upstreamOrigin, db } = await setUpGatewayBench();
  process.env.DATABASE_URL = url;
  const handler = createGatewayHandler({ db, sink: requestLogWriter(), routes: new DbRouteSource(db) });
  const body = JSON.stringify({
    model: "bench-gpt",
    messages: [{ role: "user", content: "Say hello." }],
    stream: args.stream,
  });
  const headers = new Map([
    ["authorization", `Bearer ${key}`],
    ["content-type", "application/json"],
  ]);
  const request = () => ({
    method: "POST",
    url: "http://x/v1/chat/completions",
    pathname: "/v1/chat/completions",
    headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null },
    signal: new AbortController().signal,
    body: null,
    [READ_BODY_TEXT]: async () => body,
  });
  const viaHandler = async () => {
    const res = await handler(request());
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.text();
  };
  // The same exchange with the upstream (the body the gateway sends), by three clients.
  const upstreamUrl = new URL(`${upstreamOrigin}/v1/chat/completions`);
  const upBody = JSON.stringify({
    model: "fake-model",
    messages: [{ role: "user", content: "Say hello." }],
    stream: args.stream,
  });
  const upHeaders = { "content-type": "application/json" };
  const nodeAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const viaNodeHttp = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(
        upstreamUrl,
        { method: "POST", agent: nodeAgent, headers: { ...upHeaders, "content-length": Buffer.byteLength(upBody) } },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", () => {});
          res.on("end", resolve);
        },
      );
      request.once("error", reject);
      request.end(upBody);
    });
  const pool = new Pool(upstreamOrigin, { connections: 64 });
  const viaUndiciRequest = async () => {
    const res = await pool.request({ path: upstreamUrl.pathname, method: "POST", headers: upHeaders, body: upBody });
    await res.body.text();
  };
  const viaUndiciDispatch = () =>
    new Promise<void>((resolve, reject) => {
      let text = "";
      pool.dispatch(
        { path: upstreamUrl.pathname, method: "POST", headers: upHeaders, body: upBody },
        {
          onRequestStart: () => {},
          onResponseStart: () => {},
          onResponseData: (_controller, chunk) => {
            text += chunk.toString();
          },
          onResponseEnd: () => resolve(void text),
          onResponseError: (_controller, error) => reject(error),
        },
      );
    });
  const phases: [string, () => Promise<void>][] = [
    ["handler (whole)", viaHandler],
    ["upstream exchange: node:http", viaNodeHttp],
    ["upstream exchange: undici request()", viaUndiciRequest],
    ["upstream exchange: undici dispatch()", viaUndiciDispatch],
  ];
  async function run(fn: () => Promise<void>, n: number) {
    let left = n;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (left-- > 0) await fn();
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    return { cpuUs: (cpu.user + cpu.system) / n, wallUs: ((performance.now() - t0) * 1000) / n };
  }
  if (args.only) phases.splice(0, phases.length, ...phases.filter(([name]) => name.startsWith(args.only!)));
  for (const [, fn] of phases) await run(fn, 2000);
  const results = new Map<string, number[]>();
  for (let rep = 0; rep < Number(args.reps); rep++)
    for (const [name, fn] of phases) {
      const r = await run(fn, N);
      results.set(name, [...(results.get(name) ?? []), r.cpuUs]);
    }
  for (const [name, xs] of results) {
    xs.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(36)} CPU µs/req median ${xs[xs.length >> 1].toFixed(1)}  (${xs.map((x) => x.toFixed(0)).join(", ")})`,
    );
  }
  console.log("writer", JSON.stringify(await shutdownRequestLog({ timeoutMs: 10_000 })).slice(0, 120));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await tearDown();
  process.exit();
}
