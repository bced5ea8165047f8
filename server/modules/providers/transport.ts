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
import { type LookupAddress, type LookupAllOptions, lookup as systemLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, type Dispatcher } from "undici";
import { type AllowList, addressRefusal, hostAllowed, refusalText } from "./address-policy";
import { upstreamAllowList, upstreamSettings } from "./config";
import { ProviderError } from "./errors";
import { ConnectionShares, type ShareHolder } from "./shares";

/** Resolves every address of a host name (dns.lookup with `all: true`); tests pass their own. */
export type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolve: Resolve = (hostname, options, callback) => systemLookup(hostname, options, callback);

/** The refusal of a connection the address policy forbids: not worth retrying anywhere, it will not change. */
const addressRefused = (host: string, why: string, resolved: boolean) =>
  new ProviderError("FORBIDDEN", `upstream ${refusalText(host, why, resolved)}`);

/**
 * A `lookup` for net/tls.connect that refuses a host name when any address it resolves to is one upstream calls
 * may not reach (all of them: the connection may use any). Checked on every new connection, after the
 * resolution that connection uses, so a name that resolved to a public address at registration and to
 * 127.0.0.1 now (DNS rebinding) is refused now. The refusal names the host, never the address.
 */
function guardedLookup(allow: () => AllowList, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, list) => {
      if (error) return callback(error, "");
      if (!list.length)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "");
      const policy = allow();
      if (!hostAllowed(hostname, policy)) {
        for (const { address } of list) {
          const why = addressRefusal(address, policy);
          if (why) return callback(addressRefused(hostname, why, true), "");
        }
      }
      if ((options as { all?: boolean }).all) (callback as (e: null, all: LookupAddress[]) => void)(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}

/**
 * undici's connector with the address policy in front: a literal address (never looked up) is checked here, a
 * name through `guardedLookup`. Tests build one with their own allow list and resolver.
 */
export function guardedConnector(
  allow: () => AllowList,
  options: { timeout?: number; resolve?: Resolve } = {},
): buildConnector.connector {
  const connect = buildConnector({ timeout: options.timeout ?? 10_000, lookup: guardedLookup(allow, options.resolve) });
  return (opts, callback) => {
    const hostname = opts.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(hostname)) {
      const policy = allow();
      const why = hostAllowed(hostname, policy) ? null : addressRefusal(hostname, policy);
      if (why) return callback(addressRefused(opts.host ?? hostname, why, false), null);
    }
    return connect(opts, callback);
  };
}

/**
 * Up to SWITCHYARD_UPSTREAM_CONNECTIONS (256) connections per upstream origin, one request at a time on each (no
 * pipelining: an LLM call holds its connection for seconds), shared fairly between projects (`shares`). Idle
 * connections live as long as the upstream's Keep-Alive hint, 4 s without one.
 */
const agent = new Agent({
  connections: upstreamSettings().connections,
  pipelining: 1,
  connect: guardedConnector(upstreamAllowList),
});
upstreamAllowList(); // a typo in the allow list stops the process at start, not at its first upstream call

const shares = new ConnectionShares(() => upstreamSettings());

/** Calls holding and waiting for a connection to `origin` (all projects, or one). */
export const originLoad = (origin: string, projectId?: string | null) => shares.stats(origin, projectId);

/** Where a request goes, in the parts the dispatcher takes (computed once per URL: see `targetOf`). */
export interface DispatchTarget {
  origin: string;
  path: string;
}

export function targetOf(url: URL): DispatchTarget {
  return { origin: url.origin, path: `${url.pathname}${url.search}` };
}

/**
 * POSTs `body` to `target` once `holder` is within its share of the origin's connections (at once, or after
 * waiting in its project's queue; RATE_LIMITED is thrown when that queue is full). `handler` receives the answer
 * and aborts through the controller it is handed; `release` is handed to `onStart` and must be called once the
 * exchange is over (the connection is free). Returns how to withdraw a call still waiting (null once it started).
 * undici's own header and body timeouts are off: its timers tick every ~0.5 s, too coarse for short limits, so
 * the caller keeps its own (`http.ts`).
 */
export function dispatchPost(
  target: DispatchTarget,
  headers: Record<string, string>,
  body: string,
  handler: Dispatcher.DispatchHandler & { onStart(release: () => void): boolean },
  holder: ShareHolder | undefined,
  host: string,
): (() => void) | null {
  return shares.admit(target.origin, host, holder, (release) => {
    // A call that failed (aborted, timed out) while it waited frees its turn at once.
    if (!handler.onStart(release)) return release();
    agent.dispatch(
      { origin: target.origin, path: target.path, method: "POST", headers, body, headersTimeout: 0, bodyTimeout: 0 },
      handler,
    );
  });
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
