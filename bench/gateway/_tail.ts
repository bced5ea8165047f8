import path from "node:path";
import { Pool } from "undici";
import { HERE, setUpGatewayBench, startChild, stopChild, tearDown } from "./harness";

try {
  const { url, key } = await setUpGatewayBench();
  const c = await startChild(path.join(HERE, "serve.ts"), [], { DATABASE_URL: url }, { tsx: true });
  const origin = String(c.first.origin);
  const pool = new Pool(origin, { connections: 10 });
  const body = JSON.stringify({ model: "bench-gpt", messages: [{ role: "user", content: "Say hello." }] });
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  const t0 = performance.now();
  const slow: [number, number][] = [];
  let n = 0;
  await new Promise<void>((resolve) => {
    const total = 500 * 20;
    let sent = 0,
      done = 0;
    const tick = () => {
      const now = performance.now();
      while (sent < total && t0 + sent * 2 <= now) {
        sent++;
        const at = performance.now();
        pool.dispatch(
          { path: "/v1/chat/completions", method: "POST", headers, body },
          {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData() {},
            onResponseEnd() {
              const l = performance.now() - at;
              n++;
              if (l > 8) slow.push([Math.round(at - t0), Math.round(l)]);
              if (++done === total) resolve();
            },
            onResponseError() {
              if (++done === total) resolve();
            },
          },
        );
      }
      if (sent < total) setTimeout(tick, Math.max(0, t0 + sent * 2 - performance.now()));
    };
    tick();
  });
  console.log("n", n, "slow(>8ms)", slow.length);
  console.log(slow.map(([a, l]) => `${a}:${l}`).join(" "));
  await stopChild(c.child);
} finally {
  await tearDown();
  process.exit(0);
}
