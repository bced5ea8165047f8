/**
 * What the node:http adapter costs: the same trivial JSON answer (read the body, parse it, answer a completion)
 * from a bare node:http handler and through `toNodeListener` + `jsonResponse` (the gateway's mount), each in its
 * own child process under autocannon at full speed (10 connections), CPU per request read from /proc. Run twice,
 * interleaved.
 *
 *   npx tsx bench/gateway/adapter.ts
 */
import path from "node:path";
import autocannon from "autocannon";
import { cpuTimeUs, HERE, startChild, tearDown } from "./harness";

try {
  for (const mode of ["bare", "adapter", "bare", "adapter"]) {
    const c = await startChild(path.join(HERE, "adapter-child.ts"), [mode], {}, { tsx: true });
    const opts = {
      url: `${c.first.origin}/v1/chat/completions`,
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "bench-gpt", messages: [{ role: "user", content: "Say hello." }] }),
      connections: 10,
    };
    await autocannon({ ...opts, duration: 2 });
    const before = cpuTimeUs(c.child.pid!);
    const r = await autocannon({ ...opts, duration: 5 });
    console.log(
      mode,
      Math.round(r.requests.total / 5),
      "req/s",
      ((cpuTimeUs(c.child.pid!) - before) / r.requests.total).toFixed(1),
      "µs/req",
    );
    c.child.kill("SIGTERM");
  }
} finally {
  await tearDown();
  process.exit(0);
}
