/**
 * The attempt loop of a routed request: deployments in strategy order, each
 * tried 1 + `retries.attempts` times with exponential backoff and jitter, then
 * the fallbacks in order. Every attempt must produce its first engine event
 * within `timeoutMs` or it is aborted. This runs before any byte goes to the
 * client — errors surface on the first event — so a failed attempt is
 * invisible to the caller except in the response's attempt count.
 */
import { type AbortLike, follow } from "@/server/abort";
import { DomainError, findDomainError } from "@/server/errors";
import { ProviderAbortError, ProviderError } from "@/server/modules/providers/errors";
import type { ResolvedRoute } from "@/server/modules/routes/source";
import { toGatewayFailure } from "../errors";
import { type DeploymentHealth, deploymentKey } from "./health";
import { backoffMs, type Candidate, orderDeployments } from "./strategy";

export interface FailedAttempt {
  deployment: string;
  status: number;
  message: string;
}

export interface RoutingContext {
  route: ResolvedRoute;
  projectId: string;
  /** Names the request in server logs for failures we cannot explain. */
  requestId?: string;
  /** The `model` the client sent: what serves when the route has no deployments. */
  requestedModel: string;
  /** False for `prompt:`/`experiment:` models: their own config picks the model, only retries/timeout apply. */
  useDeployments: boolean;
  health: DeploymentHealth;
  /** The request's abort (the client went away). */
  signal: AbortLike;
  random?: () => number;
  sleep?: (ms: number, signal: AbortLike) => Promise<void>;
  /** Monotonic milliseconds, for time to first token. */
  clock?: () => number;
}

export interface Attempt {
  /** A registry reference from the route, or null for the requested model as sent. */
  ref: string | null;
  /** Aborts this attempt only (timeout) and follows the request's abort. */
  signal: AbortLike;
}

export interface Routed<T> {
  value: T;
  /** The reference that served, as written in the route (or the requested model). */
  deployment: string;
  failed: FailedAttempt[];
  /** The gateway's abort for the serving attempt (it already follows the request's signal). */
  controller: AbortController;
  /** The attempt's own abort: an idle timeout fires it without looking like the client went away. */
  attempt: AbortController;
  /** Call once when the answer is complete (with the error, if it failed): ends the outstanding count. */
  release: (failure?: unknown) => void;
}

/** How an attempt's failure is handled: the caller's fault is the answer; the rest move on. */
export type FailureKind = "caller" | "retry" | "next";

// A key limit refuses the caller whichever deployment would serve.
const CALLER_CODES = new Set<string>([
  "BAD_REQUEST",
  "VALIDATION",
  "PAYLOAD_TOO_LARGE",
  "GUARDRAIL_BLOCKED",
  "RATE_LIMITED",
  "TOKEN_RATE_LIMITED",
  "BUDGET_EXCEEDED",
]);

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ProviderError && error.retryable) return "retry";
  const domain = findDomainError(error);
  if (!domain) return "next";
  // An input guardrail's block is about the request, not the deployment: every other one would refuse it too.
  if (CALLER_CODES.has(domain.code)) return "caller";
  if (domain.code === "BUSY") return "retry";
  return "next";
}

const defaultSleep = (ms: number, signal: AbortLike) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

const attemptTimeout = (deployment: string, ms: number) =>
  new ProviderError("UPSTREAM", `deployment ${deployment} timed out after ${ms} ms waiting for the first token`, {
    retryable: true,
  });

/**
 * Runs `start` for each planned attempt until one produces its first event.
 * `start` resolves the deployment, starts generating with `attempt.signal` and
 * awaits the first event; `discard` cleans up a value that arrived after its
 * attempt timed out. `sample` says whether a value measured the deployment
 * (a response-cache hit does not).
 */
export async function runRoute<T>(
  ctx: RoutingContext,
  start: (attempt: Attempt) => Promise<T>,
  discard: (value: T) => void,
  sample: (value: T) => boolean = () => true,
  /**
   * Runs after the first event, still inside the attempt: a failure here (the rest of a non-streamed answer
   * breaking off) moves on like any other, since nothing has reached the client yet.
   */
  settle?: (value: T, attempt: AbortController, deployment: string) => Promise<T>,
): Promise<Routed<T>> {
  const { config } = ctx.route;
  const random = ctx.random ?? Math.random;
  const sleep = ctx.sleep ?? defaultSleep;
  const clock = ctx.clock ?? (() => performance.now());
  const failed: FailedAttempt[] = [];
  const plan = planCandidates(ctx, random);
  const tries = 1 + config.retries.attempts;
  let last: unknown = null;

  for (const candidate of plan) {
    for (let retry = 0; retry < tries; retry++) {
      if (retry > 0) await sleep(backoffMs(config.retries, retry - 1, random), ctx.signal);
      if (ctx.signal.aborted) throw new ProviderAbortError(ctx.signal.reason);
      const controller = new AbortController();
      const unfollow = follow(ctx.signal, controller);
      const end = ctx.health.begin(candidate.key);
      const t0 = clock();
      try {
        const value = await withTimeout(
          start({ ref: candidate.ref, signal: controller.signal }),
          config.timeoutMs,
          () => {
            const error = attemptTimeout(candidate.label, config.timeoutMs);
            controller.abort(error);
            return error;
          },
          discard,
        );
        if (sample(value)) ctx.health.succeeded(candidate.key, clock() - t0);
        const settled = settle ? await settle(value, controller, candidate.label) : value;
        let released = false;
        const release = (failure?: unknown) => {
          if (released) return;
          released = true;
          unfollow();
          end();
          // Failing after its first token (an upstream error or stall mid-stream) still counts against the
          // deployment; a client that left or a caller's fault does not.
          if (failure !== undefined && !ctx.signal.aborted && classifyFailure(failure) !== "caller")
            ctx.health.failed(
              candidate.key,
              toGatewayFailure(failure, ctx.requestId ?? "routing").message,
              config.cooldown,
            );
        };
        const outer = new AbortController();
        follow(outer.signal, controller);
        return { value: settled, deployment: candidate.label, failed, controller: outer, attempt: controller, release };
      } catch (error) {
        unfollow();
        end();
        if (ctx.signal.aborted) throw error instanceof ProviderAbortError ? error : new ProviderAbortError(error);
        const kind = classifyFailure(error);
        if (kind === "caller") throw error;
        const failure = toGatewayFailure(error, ctx.requestId ?? "routing");
        ctx.health.failed(candidate.key, failure.message, config.cooldown);
        failed.push({ deployment: candidate.label, status: failure.status, message: failure.message });
        last = error;
        if (kind === "next") break;
      }
    }
  }
  throw finalError(last, failed);
}

interface PlannedCandidate {
  ref: string | null;
  label: string;
  key: string;
}

function planCandidates(ctx: RoutingContext, random: () => number): PlannedCandidate[] {
  const { config } = ctx.route;
  const key = (ref: string) => deploymentKey(ctx.projectId, ref);
  if (!ctx.useDeployments || config.deployments.length === 0) {
    const own = { ref: null, label: ctx.requestedModel, key: key(ctx.requestedModel) };
    if (!ctx.useDeployments) return [own];
    return [own, ...config.fallbacks.map((ref) => ({ ref, label: ref, key: key(ref) }))];
  }
  const candidates: Candidate[] = config.deployments.map((d) => ({
    ref: d.model,
    weight: d.weight,
    key: key(d.model),
  }));
  const ordered = orderDeployments(candidates, config.strategy, ctx.health, random);
  return [
    ...ordered.map((c) => ({ ref: c.ref, label: c.ref, key: c.key })),
    ...config.fallbacks.map((ref) => ({ ref, label: ref, key: key(ref) })),
  ];
}

/** Rejects with `onTimeout()`'s error after `ms`; a value that arrives later is discarded. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  discard: (value: T) => void = () => {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(onTimeout());
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) discard(value);
        else resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}

/** The last failure, its status kept (a timeout stays 504), naming every attempt when there were several. */
function finalError(last: unknown, failed: FailedAttempt[]): unknown {
  const domain = findDomainError(last);
  if (failed.length <= 1 || !domain) return last;
  const trail = failed.map((f) => `${f.deployment} ${f.status}`).join(", ");
  const message = `${domain.message} (${failed.length} attempts failed: ${trail})`;
  if (domain instanceof ProviderError)
    return new ProviderError(domain.code, message, {
      status: domain.upstreamStatus ?? undefined,
      retryable: domain.retryable,
    });
  return new DomainError(domain.code, message, domain.issues);
}

/** One line for the request log: what failed before the answer (or the error). */
export function describeFailedAttempts(failed: FailedAttempt[]): string | null {
  if (failed.length === 0) return null;
  return `${failed.length} failed attempt${failed.length === 1 ? "" : "s"}: ${failed
    .map((f) => `${f.deployment} → ${f.status} ${f.message}`)
    .join("; ")}`.slice(0, 2000);
}
