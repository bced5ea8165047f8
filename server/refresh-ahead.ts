/**
 * Refresh ahead, for the in-process caches on the gateway's path (resolved
 * versions, API keys, routes, the privacy setting): past REFRESH_AHEAD of its TTL an entry still
 * answers, and the first request also starts one background reload, so under
 * traffic no request waits for the database (measured: a synchronous reload
 * every TTL made every request arriving meanwhile wait 20–30 ms, most of the
 * gateway's p99 at 500 req/s). A staleness bound stays the TTL.
 */

/** The part of a TTL after which an entry is reloaded in the background. */
const REFRESH_AHEAD = 0.75;
/** After a background reload started (and maybe failed), the next may start this much later, not per request. */
export const REFRESH_RETRY_MS = 1_000;

/** When an entry loaded at `loadedAt` with `ttlMs` becomes due for a background reload. */
export const refreshAtFor = (loadedAt: number, ttlMs: number) => loadedAt + ttlMs * REFRESH_AHEAD;

/** Whether the (fresh) entry is due for a background reload; if so, claims it until REFRESH_RETRY_MS from now. */
export function claimRefresh(entry: { refreshAt: number }, now: number): boolean {
  if (now < entry.refreshAt) return false;
  entry.refreshAt = now + REFRESH_RETRY_MS;
  return true;
}

/**
 * The load of `key` in flight in `inflight`, or a new one from `start()`, kept there until it settles: requests
 * that miss together, and background reloads, share one query.
 */
export function sharedLoad<K, T>(inflight: Map<K, Promise<T>>, key: K, start: () => Promise<T>): Promise<T> {
  const pending = inflight.get(key);
  if (pending) return pending;
  const promise = start().finally(() => {
    if (inflight.get(key) === promise) inflight.delete(key);
  });
  inflight.set(key, promise);
  return promise;
}
