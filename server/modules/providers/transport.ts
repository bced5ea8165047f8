/**
 * The HTTP client under the provider clients: undici's dispatcher API (the
 * npm package, pinned; not the platform `fetch`) on one keep-alive Agent per
 * process. The response is pushed to a `Dispatcher.DispatchHandler` (status,
 * chunks, end or error): no streams, no async iterators. Measured in-process
 * for one loopback exchange (bench/gateway/inproc.ts): the platform `fetch`
 * ~1 ms of CPU, `node:http` with a keep-alive agent ~110 µs, undici's
 * dispatch ~26 µs — the difference between a gateway that adds milliseconds
 * and one that adds a fraction of one.
 */
import { Agent, type Dispatcher } from "undici";

/**
 * Up to 256 connections per upstream origin, one request at a time on each
 * (no pipelining: an LLM call holds its connection for seconds). Idle
 * connections live as long as the upstream's Keep-Alive hint, 4 s without one.
 */
const agent = new Agent({ connections: 256, pipelining: 1, connect: { timeout: 10_000 } });

/** Where a request goes, in the parts the dispatcher takes (computed once per URL: see `targetOf`). */
export interface DispatchTarget {
  origin: string;
  path: string;
}

export function targetOf(url: URL): DispatchTarget {
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

/**
 * POSTs `body` to `target`; `handler` receives the answer and aborts through the controller it is handed.
 * undici's own header and body timeouts are off: its timers tick every ~0.5 s, too coarse for short limits, so
 * the caller keeps its own (`http.ts`).
 */
export function dispatchPost(
  target: DispatchTarget,
  headers: Record<string, string>,
  body: string,
  handler: Dispatcher.DispatchHandler,
): void {
  agent.dispatch(
    { origin: target.origin, path: target.path, method: "POST", headers, body, headersTimeout: 0, bodyTimeout: 0 },
    handler,
  );
}

/** A Fetch `Headers` view of the response headers, for code that reads `retry-after` and friends. */
export function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}
