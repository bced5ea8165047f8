import { hash } from "node:crypto";
import type { GuardrailRecord } from "@/server/modules/request-log/types";

/** Request header: `bypass` skips the cache (neither read nor written); `on` caches even a sampled request. */
export const CACHE_HEADER = "x-switchyard-cache";

export interface CachedCompletion {
  payload: Record<string, unknown>;
  tokensIn: number;
  tokensOut: number;
  /** Output guardrail actions taken when the answer was generated (logged again on each hit). */
  guardrails?: GuardrailRecord[];
  expires: number;
}

/** A route's cache settings (`pipeline.cache`): off for the route, or sampled requests cached too. */
export interface CacheRoutePolicy {
  enabled: boolean;
  sampled: boolean;
  /** The route's config version: a new config must not serve answers the old one shaped. */
  routeVersion?: string;
}

/**
 * Exact-match response cache, per process: the key is the resolved model
 * version, prompt version, the normalized input and the effective
 * parameters. Sampled requests (temperature > 0 or unset, without a seed)
 * are not cached unless the caller asks with `x-switchyard-cache: on`, since
 * their answers are meant to differ. Least recently used entries go first.
 */
export class ResponseCache {
  private readonly entries = new Map<string, CachedCompletion>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs = Number(process.env.SWITCHYARD_GATEWAY_CACHE_TTL_S ?? 300) * 1000,
    private readonly maxEntries = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cache key, or null when this request must not use the cache. */
  keyFor(
    request: { kind: string; stream: boolean; header: string | null },
    target: { modelVersionId: string; promptVersionId: string | null },
    input: unknown,
    params: { temperature?: number; seed?: number },
    policy?: CacheRoutePolicy,
  ): string | null {
    if (this.ttlMs <= 0 || request.stream || request.header === "bypass" || policy?.enabled === false) return null;
    const deterministic = params.temperature === 0 || params.seed !== undefined;
    if (!deterministic && request.header !== "on" && !policy?.sampled) return null;
    const route = policy?.routeVersion ?? null;
    return hash(
      "sha256",
      JSON.stringify([request.kind, target.modelVersionId, target.promptVersionId, route, input, params]),
      "hex",
    );
  }

  get(key: string): CachedCompletion | undefined {
    const hit = this.entries.get(key);
    if (!hit || hit.expires < this.now()) {
      if (hit) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    // Re-insert: Map order is the LRU order.
    this.entries.delete(key);
    this.entries.set(key, hit);
    this.hits++;
    return hit;
  }

  /** Keeps an answer for `ttlMs` (a route's `cache.ttlSeconds`), else the cache's default TTL. */
  set(key: string, value: Omit<CachedCompletion, "expires">, ttlMs = this.ttlMs) {
    this.entries.delete(key);
    this.entries.set(key, { ...value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}
