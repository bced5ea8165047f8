import { ProviderError } from "@/server/modules/providers/errors";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { withTimeout } from "./run";

/**
 * The serving attempt's events after the first one: each next event must come
 * within `idleMs` (the route's `timeoutMs`) or the attempt is aborted with a
 * timeout (504 as the stream's final error). `release` runs exactly once when
 * the generation ends, however it ends (done, error, client gone), with the
 * error when there was one (the deployment's health counts it).
 *
 * `first` (the event routing already awaited) is yielded first, so the
 * caller takes it from here: a generator never started skips its `finally`
 * on `return()`, which would leave the attempt in flight and `events` open
 * when the first event is also the last (an output block in the first chunk).
 */
export async function* guardEvents(
  events: AsyncGenerator<EngineEvent>,
  idleMs: number,
  controller: AbortController,
  deployment: string,
  release: (failure?: unknown) => void,
  first?: IteratorResult<EngineEvent>,
): AsyncGenerator<EngineEvent> {
  let failure: unknown;
  try {
    if (first) {
      if (first.done) return;
      yield first.value;
    }
    for (;;) {
      const next = await withTimeout(events.next(), idleMs, () => {
        const error = new ProviderError(
          "UPSTREAM",
          `deployment ${deployment} timed out after ${idleMs} ms waiting for the next token`,
          { retryable: true },
        );
        controller.abort(error);
        return error;
      });
      if (next.done) return;
      yield next.value;
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    release(failure);
    void events.return(undefined).catch(() => {});
  }
}
