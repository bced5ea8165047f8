/**
 * Per-key limits: reserve before the call, settle after (see this folder's README).
 *
 * A request of a limited key reserves what it is expected to use — its
 * estimated tokens and cost (`usage-estimate.ts`) — in one statement that
 * checks every limit against the shared counters and counts it only when all
 * hold (`gateway_reserve`, atomic across replicas). When its row is finished
 * the reservation is replaced by what it really used (`KeyUsageRecorder`);
 * a failed or aborted call releases what it did not use. So a limit is
 * overshot only by requests in flight that use more than their estimate.
 *
 * Windows are fixed: requests and tokens per UTC minute, spend per UTC day,
 * ISO week or month. A refused request is not counted, and its `retry-after`
 * is the time until its window ends (at most 60 s for a per-minute limit).
 *
 * Keys without limits cost nothing here: `principal.limits` is null and no
 * query runs. While the counters cannot be read (Postgres down), each replica
 * serves a limited key at most `SWITCHYARD_KEY_LIMIT_OUTAGE_REQUESTS` requests
 * per minute (and within its own per-minute limits), counted in memory and
 * added to the counters when Postgres is back.
 */
import type { KeyLimits } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { type ReserveResult, reserveUsage, type UsageEstimate } from "@/server/modules/api-keys/counters";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import type { KeyPrincipal } from "./key-cache";
import type { KeyUsageRecorder } from "./key-usage-recorder";
import { outageRequestsPerMinute } from "./limit-settings";

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

/** After a failed reservation the counters are not asked again for this long (the outage allowance serves). */
const RETRY_COUNTERS_AFTER_MS = 1_000;

/** What one request reserved; settled once its row is finished. */
interface Reservation {
  keyId: string;
  /** The windows it went into; null when served from the outage allowance (nothing reserved in Postgres). */
  minute: Date | null;
  day: string | null;
  tokens: number;
  costUsd: number;
}

/** One process's enforcement: the shared counters, plus the outage allowance it keeps in memory. */
export class KeyLimiter {
  private countersDownUntil = 0;
  private lastOutageWarning = 0;
  /** Per key: the local minute and what the outage allowance served in it. */
  private outage = new Map<string, { minute: number; requests: number; tokens: number }>();

  constructor(
    private readonly db: Db,
    private readonly usage: KeyUsageRecorder,
    private readonly outageRequests = outageRequestsPerMinute(),
    private readonly clock: () => number = Date.now,
  ) {}

  /** The per-request handle for a limited key (null for keys without limits: nothing to do, ever). */
  forRequest(principal: KeyPrincipal): RequestLimits | null {
    if (!principal.limits || !principal.keyId) return null;
    return new RequestLimits(this, principal.keyId, principal.limits);
  }

  /** Reserves `estimate` for the key, or throws the KeyLimitError that refuses it. */
  async reserve(keyId: string, limits: KeyLimits, estimate: UsageEstimate): Promise<Reservation> {
    // Only what is limited is reserved; a request is never reserved for more than the whole limit, so even one
    // larger than the limit runs once its window is empty (alone in it).
    const tokens = limits.tokensPerMinute ? Math.min(Math.ceil(estimate.tokens), limits.tokensPerMinute) : 0;
    const costUsd = limits.budgetUsd && limits.budgetPeriod ? Math.min(estimate.costUsd, limits.budgetUsd) : 0;
    if (this.clock() >= this.countersDownUntil) {
      let result: ReserveResult;
      try {
        result = await reserveUsage(this.db, keyId, limits, { tokens, costUsd });
      } catch (error) {
        if (error instanceof DomainError) throw error;
        this.countersDown(error);
        return this.reserveDuringOutage(keyId, limits, tokens);
      }
      const refusal = limitRefusal(limits, result, { tokens, costUsd });
      if (refusal) throw refusal;
      return { keyId, minute: result.minute, day: result.day, tokens, costUsd };
    }
    return this.reserveDuringOutage(keyId, limits, tokens);
  }

  /** Replaces a reservation with what the request used (a request never reserved: its usage is simply added). */
  settle(reservation: Reservation, usedTokens: number, usedCostUsd: number) {
    const tokens = Number.isFinite(usedTokens) && usedTokens > 0 ? Math.round(usedTokens) : 0;
    const cost = Number.isFinite(usedCostUsd) && usedCostUsd > 0 ? usedCostUsd : 0;
    this.usage.record({
      keyId: reservation.keyId,
      minute: reservation.minute,
      day: reservation.day,
      tokens: tokens - reservation.tokens,
      costUsd: cost - reservation.costUsd,
    });
  }

  private countersDown(error: unknown) {
    this.countersDownUntil = this.clock() + RETRY_COUNTERS_AFTER_MS;
    const now = this.clock();
    if (now - this.lastOutageWarning > 60_000) {
      this.lastOutageWarning = now;
      console.warn(
        `[gateway] key limit counters cannot be read: limited keys get at most ${this.outageRequests} requests ` +
          "per minute per replica until they can",
        error,
      );
    }
  }

  /**
   * The bounded fail-open: at most `outageRequests` per key per local minute on this replica (and within the
   * key's own per-minute limits, counted here alone). The budget cannot be checked: the allowance bounds it.
   */
  private reserveDuringOutage(keyId: string, limits: KeyLimits, tokens: number): Reservation {
    const minute = Math.floor(this.clock() / 60_000);
    let used = this.outage.get(keyId);
    if (!used || used.minute !== minute) {
      if (this.outage.size > 10_000) this.outage.clear();
      used = { minute, requests: 0, tokens: 0 };
      this.outage.set(keyId, used);
    }
    const wait = Math.max(1, Math.ceil(60 - (this.clock() / 1000 - minute * 60)));
    const cap = Math.min(this.outageRequests, limits.requestsPerMinute ?? Number.POSITIVE_INFINITY);
    if (used.requests + 1 > cap)
      throw new KeyLimitError(
        "RATE_LIMITED",
        `Rate limit reached: the usage counters cannot be read, so this gateway serves this API key at most ${cap} ` +
          `requests per minute until they can; retry in ${wait} s`,
        wait,
      );
    if (limits.tokensPerMinute && used.tokens > 0 && used.tokens + tokens > limits.tokensPerMinute)
      throw new KeyLimitError(
        "TOKEN_RATE_LIMITED",
        `Token rate limit reached: this API key may use ${limits.tokensPerMinute} tokens per minute; retry in ${wait} s`,
        wait,
      );
    used.requests++;
    used.tokens += tokens;
    // Nothing is reserved in Postgres: what the request uses is added to the current windows when settled.
    return { keyId, minute: null, day: null, tokens: 0, costUsd: 0 };
  }
}

/**
 * One request's side of the limits: `reserve()` once the request knows what it will use (later calls do nothing),
 * `settle()` when its row is finished. A request that finishes without reserving reserved nothing to release.
 */
export class RequestLimits {
  private reservation: Reservation | null = null;
  private reserving: Promise<void> | null = null;

  constructor(
    private readonly limiter: KeyLimiter,
    private readonly keyId: string,
    private readonly limits: KeyLimits,
  ) {}

  reserve(estimate: UsageEstimate): Promise<void> {
    this.reserving ??= this.limiter.reserve(this.keyId, this.limits, estimate).then((reservation) => {
      this.reservation = reservation;
    });
    return this.reserving;
  }

  /** Cache hits cost 0 and spent no model tokens: they release their reservation and add nothing. */
  settle(entry: RequestLogEntry) {
    if (!this.reservation) return;
    const used = entry.cacheHit
      ? { tokens: 0, cost: 0 }
      : { tokens: entry.tokensIn + entry.tokensOut, cost: entry.costUsd };
    this.limiter.settle(this.reservation, used.tokens, used.cost);
    this.reservation = null;
  }
}

/** The limit a reservation broke, as the error the client gets (null when admitted). Pure: unit-tested. */
export function limitRefusal(limits: KeyLimits, r: ReserveResult, asked: UsageEstimate): KeyLimitError | null {
  if (r.refused === "budget")
    return new KeyLimitError(
      "BUDGET_EXCEEDED",
      `Budget exhausted: this API key has spent $${formatUsd(r.spent)} of its $${formatUsd(limits.budgetUsd ?? 0)} ` +
        `budget per ${limits.budgetPeriod} (UTC)` +
        (r.spent < (limits.budgetUsd ?? 0)
          ? ` (requests in flight included), and this request may cost up to $${formatUsd(asked.costUsd)}`
          : "") +
        `; it resets at ${r.periodEnd.toISOString()}`,
      Math.max(1, Math.ceil(r.periodLeft)),
    );
  // A fixed window: the next slot is certain when this minute ends (tokens may free up sooner, as requests in flight
  // settle below their reservation).
  const wait = Math.max(1, Math.ceil(r.windowLeft));
  if (r.refused === "requests")
    return new KeyLimitError(
      "RATE_LIMITED",
      `Rate limit reached: this API key may make ${limits.requestsPerMinute} requests per minute (UTC minute) and ` +
        `has made ${r.requests}; retry in ${wait} s`,
      wait,
    );
  if (r.refused === "tokens")
    return new KeyLimitError(
      "TOKEN_RATE_LIMITED",
      `Token rate limit reached: this API key may use ${limits.tokensPerMinute} tokens per minute (UTC minute), ` +
        `${r.tokens} are used or reserved by requests in flight, and this request may use up to ${asked.tokens}; ` +
        `retry in ${wait} s`,
      wait,
    );
  return null;
}

const formatUsd = (value: number) => (value >= 1 ? value.toFixed(2) : String(Number(value.toPrecision(3))));
