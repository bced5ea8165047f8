// One step of a run: its `with` resolved, attempts with exponential backoff, a timeout per attempt, the outcome
// written to its row. Never throws: a stop of the whole job (cancel, shutdown) returns and the engine handles it.
import { resolveValue } from "@/lib/workflows/expressions";
import { findDomainError } from "@/server/errors";
import { expressionContext, type RunBase } from "./run-base";
import { type StepContext, StepFailed, StepTimeout } from "./steps/types";
import { sleep } from "./steps/wait";

/** Errors another attempt would meet again: the input is wrong, or a policy refused. */
const NOT_RETRYABLE = ["BAD_REQUEST", "VALIDATION", "NOT_FOUND", "FORBIDDEN", "CONFLICT", "UNPROCESSABLE"];

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function abortRejection(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export async function executeStep(base: RunBase, id: string, resumed: boolean): Promise<void> {
  const { store } = base;
  const step = base.definition.steps[id];
  const state = store.get(id);
  await store.update(id, { status: "running", startedAt: state.startedAt ?? new Date() });
  let resolved: Record<string, unknown>;
  try {
    resolved = resolveValue(step.with, expressionContext(base, step.needs)) as Record<string, unknown>;
  } catch (error) {
    await store.finish(id, "failed", { error: `Could not resolve 'with': ${messageOf(error)}`, log: messageOf(error) });
    return;
  }
  // A resumed step repeats the attempt that was interrupted (it re-attaches to what that attempt started).
  let attempt = resumed && state.attempts > 0 ? state.attempts : state.attempts + 1;
  for (;;) {
    if (attempt !== state.attempts) await store.update(id, { attempts: attempt });
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new StepTimeout(step.timeoutSeconds)), step.timeoutSeconds * 1000);
    const signal = AbortSignal.any([base.signal, timeout.signal]);
    const ctx: StepContext = {
      db: base.db,
      projectId: base.caller.projectId,
      caller: base.caller,
      runId: base.runId,
      stepId: id,
      with: resolved,
      signal,
      previous: { outputs: state.outputs, jobId: state.jobId },
      attach: (outputs, childJobId) =>
        store.update(id, { outputs, ...(childJobId !== undefined ? { jobId: childJobId } : {}) }),
      log: (message, level) => void store.log(id, message, level).catch(() => {}),
    };
    try {
      if (attempt > 1 || resumed) await store.log(id, `Attempt ${attempt} of ${step.retry.attempts}`);
      const outputs = await Promise.race([base.runners[step.uses](ctx), abortRejection(signal)]);
      clearTimeout(timer);
      await store.finish(id, "succeeded", { outputs, error: null });
      return;
    } catch (error) {
      clearTimeout(timer);
      if (base.signal.aborted) return;
      const timedOut = timeout.signal.aborted;
      const message = timedOut ? new StepTimeout(step.timeoutSeconds).message : messageOf(error);
      const outputs = error instanceof StepFailed ? error.outputs : state.outputs;
      const retryable =
        !(error instanceof StepFailed && !error.retryable) &&
        !NOT_RETRYABLE.includes(findDomainError(error)?.code ?? "");
      if (attempt < step.retry.attempts && retryable) {
        const delay = step.retry.backoffSeconds * 2 ** (attempt - 1);
        await store.log(id, `Attempt ${attempt} failed: ${message}; retrying in ${delay} s`, "warn");
        // The next attempt starts fresh: it must not re-attach to what this one started.
        await store.update(id, { outputs: null, jobId: null });
        try {
          await sleep(delay * 1000, base.signal);
        } catch {
          return;
        }
        attempt += 1;
        continue;
      }
      await store.finish(id, "failed", { outputs, error: message, log: `Attempt ${attempt} failed: ${message}` });
      return;
    }
  }
}
