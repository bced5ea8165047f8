/**
 * An open-loop load generator at a fixed request rate, for latency at a given load. autocannon's `overallRate`
 * is not that: each connection sends its whole per-second quota back to back when the second starts, then
 * waits, so "500 req/s over 10 connections" is a burst at full speed every second and its latency is the
 * latency at saturation. Here request i is due at start + i/rate (evenly spaced, like wrk2 or k6's
 * constant-arrival-rate); it goes out on one of up to `connections` keep-alive connections (undici Pool), and
 * waits in the pool's queue if all are busy. Latency runs from the moment the request is handed to the pool, so
 * a server that falls behind is charged for the wait in that queue (no coordinated omission), but the
 * generator's own timer lateness (setTimeout has ~1 ms granularity) is not; it is reported as `sendLagP99Ms`.
 */
import { Pool } from "undici";

export interface PacedOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  rate: number;
  seconds: number;
  connections: number;
}

export interface PacedResult {
  /** Latency of each 2xx answer from when it was sent (handed to the pool), ms, sorted. */
  latenciesMs: number[];
  requests: number;
  non2xx: number;
  errors: number;
  /** 99th percentile of (sent - due): the generator's own lateness. */
  sendLagP99Ms: number;
  /** Answers per second over the run. */
  rps: number;
}

export async function paced(options: PacedOptions): Promise<PacedResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let answered = 0;
  let sent = 0;
  const start = performance.now();

  await new Promise<void>((resolve) => {
    const finishOne = () => {
      answered++;
      if (answered === total) resolve();
    };
    const fire = (due: number) => {
      const sentAt = performance.now();
      lags.push(sentAt - due);
      let status = 0;
      pool.dispatch(
        { path: `${url.pathname}${url.search}`, method: "POST", headers: options.headers, body: options.body },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData() {},
          onResponseEnd() {
            if (status >= 200 && status < 300) latencies.push(performance.now() - sentAt);
            else non2xx++;
            finishOne();
          },
          onResponseError() {
            errors++;
            finishOne();
          },
        },
      );
    };
    // Send everything that is due, then sleep until the next one is (setTimeout has ~1 ms granularity, so
    // a tick may send two).
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) fire(start + interval * sent++);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    latenciesMs: latencies,
    requests: total,
    non2xx,
    errors,
    sendLagP99Ms: lags[Math.floor(lags.length * 0.99)] ?? 0,
    rps: answered / elapsed,
  };
}
