/**
 * Per-key limits, enforced before serving (see this folder's README):
 *
 * - requests per minute: this request is counted first (refused ones count
 *   too), refused when the sliding-window estimate exceeds the limit;
 * - tokens per minute: refused when the tokens already used in the window
 *   are at or over the limit. Tokens are known only after the answer, so
 *   the request that crosses the limit is served in full: one request (or
 *   several concurrent ones) may overshoot by its own size;
 * - budget: refused when the spend in the current UTC period (day, ISO week,
 *   month) is at or over the budget; the same overshoot applies.
 *
 * Keys without limits cost nothing here: `principal.limits` is null and no
 * query runs. Limits travel with the principal through the key cache, so a
 * change takes effect within the cache's TTL (15 s) on each replica.
 */
import type { KeyLimits } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { countRequest, type KeyWindow, slidingEstimate } from "@/server/modules/api-keys/counters";
import type { KeyPrincipal } from "./key-cache";

/** Thrown when over a limit; `retryAfterSeconds` goes to the `retry-after` header. */
export class KeyLimitError extends DomainError {
  constructor(
    code: "RATE_LIMITED" | "TOKEN_RATE_LIMITED" | "BUDGET_EXCEEDED",
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message);
  }
}

let lastOutageWarning = 0;

export async function enforceKeyLimits(db: Db, principal: KeyPrincipal): Promise<void> {
  const limits = principal.limits;
  // The environment's admin key has no id to count against.
  if (!limits || !principal.keyId) return;
  let window: KeyWindow;
  try {
    window = await countRequest(db, principal.keyId, limits.budgetPeriod);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // The counters live in Postgres: while it does not answer, limits are not enforced (fail open) rather than
    // every limited key failing — the data plane keeps serving through an outage. Said once a minute.
    if (Date.now() - lastOutageWarning > 60_000) {
      lastOutageWarning = Date.now();
      console.warn("[gateway] key limits not enforced: the counters cannot be read", error);
    }
    return;
  }
  const refusal = limitRefusal(limits, window);
  if (refusal) throw refusal;
}

/** The first limit the window breaks (budget, then requests, then tokens), or null. Pure: unit-tested. */
export function limitRefusal(limits: KeyLimits, w: KeyWindow): KeyLimitError | null {
  if (limits.budgetUsd && limits.budgetPeriod && w.spent >= limits.budgetUsd) {
    return new KeyLimitError(
      "BUDGET_EXCEEDED",
      `Budget exhausted: this API key has spent $${formatUsd(w.spent)} of its $${formatUsd(limits.budgetUsd)} ` +
        `budget per ${limits.budgetPeriod} (UTC); it resets at ${w.periodEnd.toISOString()}`,
      Math.max(1, Math.ceil(w.periodLeft)),
    );
  }
  const rpm = limits.requestsPerMinute;
  if (rpm && slidingEstimate(w.previousRequests, w.currentRequests, w.elapsed) > rpm) {
    // This request is already counted: the next one fits once the estimate is at most rpm - 1.
    const wait = secondsUntilAtMost(w.previousRequests, w.currentRequests, w.elapsed, rpm - 1);
    return new KeyLimitError(
      "RATE_LIMITED",
      `Rate limit reached: this API key may make ${rpm} requests per minute; retry in ${wait} s`,
      wait,
    );
  }
  const tpm = limits.tokensPerMinute;
  if (tpm) {
    const used = slidingEstimate(w.previousTokens, w.currentTokens, w.elapsed);
    if (used >= tpm) {
      const wait = secondsUntilAtMost(w.previousTokens, w.currentTokens, w.elapsed, tpm - 1);
      return new KeyLimitError(
        "TOKEN_RATE_LIMITED",
        `Token rate limit reached: this API key may use ${tpm} tokens per minute and has used ${Math.round(used)} ` +
          `in the last minute; retry in ${wait} s`,
        wait,
      );
    }
  }
  return null;
}

/**
 * Whole seconds (at least 1) until the sliding estimate, with nothing new
 * counted, falls to `target`: first while the previous minute's weight decays
 * in this minute, else in the next minute, where this minute's count decays.
 */
export function secondsUntilAtMost(previous: number, current: number, elapsed: number, target: number): number {
  let wait: number;
  if (current <= target) {
    // previous * (1 - x/60) + current <= target  <=>  x >= 60 * (1 - (target - current) / previous)
    const x = previous > 0 ? 60 * (1 - (target - current) / previous) : elapsed;
    wait = Math.max(x - elapsed, 0);
  } else {
    // In the next minute: current * (1 - y/60) <= target
    const y = target > 0 ? 60 * (1 - target / current) : 60;
    wait = 60 - elapsed + y;
  }
  return Math.max(1, Math.ceil(wait));
}

const formatUsd = (value: number) => (value >= 1 ? value.toFixed(2) : String(Number(value.toPrecision(3))));
