import { hashApiKey } from "@/server/auth/api-key";
import type { Principal } from "@/server/auth/principal";
import { DomainError } from "@/server/errors";
import { claimRefresh, REFRESH_RETRY_MS, refreshAtFor, sharedLoad } from "@/server/refresh-ahead";

export type KeyPrincipal = Extract<Principal, { kind: "apiKey" }>;

export interface KeyCacheOptions {
  /** How long a verified key is trusted without asking the database. Default 15 s. */
  ttlMs?: number;
  /** How long an unknown, revoked or expired key is refused without asking the database. Default 5 s. */
  negativeTtlMs?: number;
  /**
   * While the database is unreachable, a key verified within this long keeps working (stale-if-error), so an
   * outage does not take the data plane down with it. Default 5 minutes; 0 turns it off.
   */
  staleIfErrorMs?: number;
  /** Oldest entries are dropped past this many (sprays of random keys cannot grow memory). Default 10,000. */
  maxEntries?: number;
  /** Milliseconds clock, for tests. */
  clock?: () => number;
}

type Entry = { expires: number } & (
  | {
      principal: KeyPrincipal;
      verifiedAt: number;
      /** When a background check is due (refresh ahead). */
      refreshAt: number;
    }
  | { refusal: DomainError }
);

/**
 * In-process cache of API-key verification, so the data plane does not pay a
 * database round trip per request. Keyed by the key's SHA-256 (the raw key
 * is never kept). Concurrent misses for one key share one lookup.
 *
 * Expiry needs no database: a key past its `expiresAt` is refused on the very
 * next request, cached or not, and is not served stale through an outage.
 *
 * THE REVOCATION DELAY: a revoked (or re-scoped) key keeps working
 * on a replica for up to `ttlMs` (15 s by default) after the change commits,
 * and a key created just after being tried is refused for up to
 * `negativeTtlMs` (5 s). Database errors are never cached; while the database
 * is unreachable a key verified in the last `staleIfErrorMs` (5 min) keeps
 * working, so an outage does not stop the data plane.
 * With `followKeyChanges` (key-events.ts) a revocation or limit change drops
 * the key on every replica when it commits; the TTL then only bounds what a
 * replica misses while its LISTEN connection is down.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<KeyPrincipal>>();
  /** Lookups that were in flight when a key was forgotten: they may have read it before the change. */
  private readonly stale = new Set<string>();
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly staleIfErrorMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly verify: (key: string) => Promise<Principal>,
    options: KeyCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
    this.negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.staleIfErrorMs = options.staleIfErrorMs ?? 5 * 60_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The key's principal, or a thrown UNAUTHENTICATED DomainError. */
  async resolve(key: string): Promise<KeyPrincipal> {
    const hash = hashApiKey(key);
    const entry = this.entries.get(hash);
    const now = this.clock();
    if (entry && entry.expires > now) {
      if ("refusal" in entry) throw entry.refusal;
      // Expiry is checked on every use: a cached key must not outlive its `expiresAt` by the cache's TTL.
      if (pastExpiry(entry.principal, now)) {
        const refusal = expiredKey();
        this.store(hash, { refusal, expires: now + this.negativeTtlMs });
        throw refusal;
      }
      // Refresh ahead (server/refresh-ahead.ts): the key stays verified within `ttlMs`, and nobody waits.
      if (!this.inflight.has(hash) && claimRefresh(entry, now)) this.lookUpShared(hash, key, entry).catch(() => {});
      return entry.principal;
    }
    return this.lookUpShared(hash, key, entry);
  }

  /** The lookup in flight for this key, or a new one (concurrent misses and refreshes share it). */
  private lookUpShared(hash: string, key: string, previous: Entry | undefined): Promise<KeyPrincipal> {
    return sharedLoad(this.inflight, hash, () => this.lookUp(hash, key, previous));
  }

  /** Forgets every entry. */
  clear() {
    this.entries.clear();
  }

  /** Forgets one key (revoked or changed elsewhere: see key-events.ts); a lookup in flight is not cached. */
  forget(keyId: string) {
    for (const [hash, entry] of this.entries)
      if ("principal" in entry && entry.principal.keyId === keyId) this.entries.delete(hash);
    for (const hash of this.inflight.keys()) this.stale.add(hash);
  }

  get size() {
    return this.entries.size;
  }

  private async lookUp(hash: string, key: string, previous: Entry | undefined): Promise<KeyPrincipal> {
    // A lookup that starts now reads after any change so far (one per key at a time: sharedLoad).
    this.stale.delete(hash);
    try {
      const principal = await this.verify(key);
      if (principal.kind !== "apiKey") throw new DomainError("UNAUTHENTICATED", "Invalid API key");
      const now = this.clock();
      if (!this.stale.has(hash))
        this.store(hash, {
          principal,
          expires: now + this.ttlMs,
          verifiedAt: now,
          refreshAt: refreshAtFor(now, this.ttlMs),
        });
      return principal;
    } catch (error) {
      if (error instanceof DomainError && error.code === "UNAUTHENTICATED")
        this.store(hash, { refusal: error, expires: this.clock() + this.negativeTtlMs });
      else if (
        previous &&
        "principal" in previous &&
        previous.verifiedAt + this.staleIfErrorMs > this.clock() &&
        !pastExpiry(previous.principal, this.clock())
      ) {
        // The database did not answer: keep serving a key it vouched for recently, asking again in a second.
        this.store(hash, {
          principal: previous.principal,
          verifiedAt: previous.verifiedAt,
          expires: this.clock() + 1_000,
          refreshAt: this.clock() + REFRESH_RETRY_MS,
        });
        return previous.principal;
      }
      throw error;
    }
  }

  private store(hash: string, entry: Entry) {
    this.entries.delete(hash);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, entry);
  }
}

function pastExpiry(principal: KeyPrincipal, now: number): boolean {
  return principal.expiresAt != null && principal.expiresAt <= now;
}

const expiredKey = () => new DomainError("UNAUTHENTICATED", "This API key has expired");
