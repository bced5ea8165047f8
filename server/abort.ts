/**
 * The part of AbortSignal our generation path uses (a real AbortSignal is one), and `LightAbort`, a controller
 * and signal in one plain object. Why: on Node 20 `new AbortController().signal` costs ~3 µs (it builds an
 * EventTarget) and a listener added and removed ~2 µs more; the gateway made one per request and the upstream
 * call listened on it, about 4 % of its CPU per request. Only our own code may receive a `LightAbort`: anything
 * that hands a signal to Node or undici (`fetch`, timers, `events.once`) needs a real AbortSignal.
 */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** An AbortController as our code uses it. */
export interface AbortHandle {
  readonly signal: AbortLike;
  abort(reason?: unknown): void;
}

export class LightAbort implements AbortHandle, AbortLike {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;

  get signal(): AbortLike {
    return this;
  }

  /** Like AbortController.abort(): once; the reason defaults to the same AbortError DOMException. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Listeners run once, at the abort (every abort listener here is `{ once: true }` in effect). */
  addEventListener(_type: "abort", listener: () => void): void {
    if (this.aborted) return;
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const index = listeners.lastIndexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }
}

const noop = () => {};

/** Aborts `target` with `signal`'s reason when it fires (at once if it already has); returns the unlink. */
export function follow(signal: AbortLike, target: AbortHandle): () => void {
  if (signal.aborted) {
    target.abort(signal.reason);
    return noop;
  }
  const onAbort = () => target.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}
