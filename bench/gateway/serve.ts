/**
 * Child process of bench/gateway/run.ts and soak.ts: the standalone Switchyard gateway on 127.0.0.1 (port 0) with
 * the process-wide sink, i.e. the real batching request-log writer on DATABASE_URL (logging on). Prints
 * `{"origin": ...}` when listening; with SOAK_SAMPLE_MS set (and node --expose-gc) prints
 * `{"memory": ..., "writer": ...}` after a full GC every SOAK_SAMPLE_MS; with ELU_SAMPLE_MS set prints
 * `{"elu": ...}` (event-loop utilisation: near 1 means the gateway itself is the bottleneck) every ELU_SAMPLE_MS;
 * on SIGTERM closes, flushes the log and prints `{"stats": writer stats}`.
 */

import { performance } from "node:perf_hooks";
import { startStandaloneGateway } from "@/server/modules/gateway/standalone";
import { requestLogWriter, shutdownRequestLog } from "@/server/modules/request-log/runtime";
import { installV1Extensions } from "@/server/v1-extensions";

if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL must be set");
installV1Extensions();
const gateway = await startStandaloneGateway({ port: 0, host: "127.0.0.1" });
console.log(JSON.stringify({ origin: gateway.origin }));

const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 0);
const gc = (globalThis as { gc?: () => void }).gc;
const sampler =
  sampleMs > 0
    ? setInterval(() => {
        gc?.();
        const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
        const { buffered, dropped, written } = requestLogWriter().stats();
        console.log(
          JSON.stringify({
            memory: { rss, heapUsed, heapTotal, external, arrayBuffers },
            writer: { buffered, dropped, written },
          }),
        );
      }, sampleMs)
    : null;

const eluMs = Number(process.env.ELU_SAMPLE_MS ?? 0);
if (eluMs > 0) {
  let last = performance.eventLoopUtilization();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    console.log(JSON.stringify({ elu: performance.eventLoopUtilization(now, last).utilization.toFixed(3) }));
    last = now;
  }, eluMs).unref();
}

process.once("SIGTERM", async () => {
  if (sampler) clearInterval(sampler);
  await gateway.close();
  const stats = await shutdownRequestLog({ timeoutMs: 10_000 });
  console.log(JSON.stringify({ stats }));
  process.exit(0);
});
