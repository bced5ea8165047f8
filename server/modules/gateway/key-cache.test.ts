import { describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import { DomainError } from "@/server/errors";
import { ApiKeyCache, type KeyPrincipal } from "./key-cache";

const principal = (projectId: string): Principal => ({
  kind: "apiKey",
  keyId: `key-${projectId}`,
  projectId,
  scopes: ["gateway:invoke"],
  label: projectId,
});

function setup(known: Record<string, string>, options: { maxEntries?: number; staleIfErrorMs?: number } = {}) {
  let now = 0;
  const calls: string[] = [];
  let failNext = false;
  const cache = new ApiKeyCache(
    async (key) => {
      calls.push(key);
      await Promise.resolve();
      if (failNext) {
        failNext = false;
        throw new Error("database down");
      }
      if (!known[key]) throw new DomainError("UNAUTHENTICATED", "Invalid API key");
      return principal(known[key]);
    },
    { ttlMs: 1000, negativeTtlMs: 100, clock: () => now, ...options },
  );
  return {
    cache,
    calls,
    advance: (ms: number) => {
      now += ms;
    },
    failOnce: () => {
      failNext = true;
    },
  };
}

describe("ApiKeyCache", () => {
  it("verifies once per TTL and shares one lookup between concurrent misses", async () => {
    const { cache, calls, advance } = setup({ good: "p1" });
    const [a, b] = await Promise.all([cache.resolve("good"), cache.resolve("good")]);
    expect(a.projectId).toBe("p1");
    expect(b).toBe(a);
    await cache.resolve("good");
    expect(calls).toEqual(["good"]);
    advance(1001);
    await cache.resolve("good");
    expect(calls).toEqual(["good", "good"]);
  });

  it("checks a key again in the background past 3/4 of its TTL, so no request waits, and notices a revocation", async () => {
    const known: Record<string, string> = { good: "p1" };
    const { cache, calls, advance, failOnce } = setup(known);
    await cache.resolve("good");
    advance(700);
    await cache.resolve("good");
    expect(calls).toHaveLength(1);
    advance(100); // 800 ms: past 3/4 of the 1 s TTL
    failOnce();
    // Answered from the cache at once; the background check fails (database down) and is not retried per request.
    expect((await cache.resolve("good")).projectId).toBe("p1");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toHaveLength(2);
    await cache.resolve("good");
    expect(calls).toHaveLength(2);
    advance(150); // still within the TTL (950 ms), and a second has not passed since the failed check
    await cache.resolve("good");
    expect(calls).toHaveLength(2);
    // A new entry from a successful check: the key is refused as soon as the background check learns it was revoked.
    advance(2_000);
    await cache.resolve("good");
    expect(calls).toHaveLength(3);
    delete known.good;
    advance(800);
    expect((await cache.resolve("good")).projectId).toBe("p1");
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toHaveLength(4);
    await expect(cache.resolve("good")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("caches refusals for the shorter negative TTL, and never caches database errors", async () => {
    const { cache, calls, advance, failOnce } = setup({});
    await expect(cache.resolve("bad")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(cache.resolve("bad")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(calls).toHaveLength(1);
    advance(101);
    await expect(cache.resolve("bad")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(calls).toHaveLength(2);

    failOnce();
    await expect(cache.resolve("other")).rejects.toThrow("database down");
    await expect(cache.resolve("other")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(calls).toHaveLength(4);
  });

  it("keeps at most maxEntries, dropping the oldest", async () => {
    const { cache, calls } = setup({ a: "p", b: "p", c: "p" }, { maxEntries: 2 });
    for (const key of ["a", "b", "c"]) await cache.resolve(key);
    expect(cache.size).toBe(2);
    await cache.resolve("c");
    await cache.resolve("a");
    expect(calls).toEqual(["a", "b", "c", "a"]);
  });

  it("keeps serving a recently verified key while the database is down, then gives up", async () => {
    const { cache, calls, advance, failOnce } = setup({ good: "p1" }, { staleIfErrorMs: 10_000 });
    await cache.resolve("good");
    advance(1001);
    failOnce();
    expect((await cache.resolve("good")).projectId).toBe("p1");
    expect(calls).toHaveLength(2);
    // It asks again a second later, not on every request.
    await cache.resolve("good");
    expect(calls).toHaveLength(2);
    advance(1001);
    await cache.resolve("good");
    expect(calls).toHaveLength(3);
    // Past the stale window an outage is an error again.
    advance(20_000);
    failOnce();
    await expect(cache.resolve("good")).rejects.toThrow("database down");
  });

  it("never serves a stale key the database refused", async () => {
    const known: Record<string, string> = { good: "p1" };
    const { cache, advance } = setup(known, { staleIfErrorMs: 10_000 });
    await cache.resolve("good");
    delete known.good;
    advance(1001);
    await expect(cache.resolve("good")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("forgets one key on demand, and does not cache a lookup that was in flight meanwhile", async () => {
    const { cache, calls } = setup({ a: "p1", b: "p2" });
    await cache.resolve("a");
    await cache.resolve("b");
    cache.forget("key-p1");
    await cache.resolve("a");
    await cache.resolve("b");
    expect(calls).toEqual(["a", "b", "a"]);

    cache.forget("key-p1");
    const racing = cache.resolve("a");
    cache.forget("key-p1"); // the change committed while the lookup was running
    await racing;
    await cache.resolve("a");
    expect(calls).toEqual(["a", "b", "a", "a", "a"]);
  });

  it("refuses a cached key on the first use past its expiry, and does not serve it stale through an outage", async () => {
    let now = 0;
    let down = false;
    let lookups = 0;
    const expiring = (expiresAt: number): Principal => ({ ...(principal("p1") as KeyPrincipal), expiresAt });
    const cache = new ApiKeyCache(
      async () => {
        lookups++;
        if (down) throw new Error("database down");
        return expiring(5_000);
      },
      { ttlMs: 60_000, staleIfErrorMs: 300_000, clock: () => now },
    );
    expect((await cache.resolve("k")).projectId).toBe("p1");
    now = 4_999;
    expect((await cache.resolve("k")).projectId).toBe("p1");
    now = 5_000;
    await expect(cache.resolve("k")).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      message: expect.stringContaining("expired"),
    });

    // Stale-if-error keeps a recently verified key through an outage, but never one past its expiry.
    const other = new ApiKeyCache(
      async () => {
        if (down) throw new Error("database down");
        return expiring(2_000);
      },
      { ttlMs: 1_000, staleIfErrorMs: 300_000, clock: () => now },
    );
    now = 0;
    await other.resolve("k");
    down = true;
    now = 1_500;
    expect((await other.resolve("k")).projectId).toBe("p1");
    now = 2_500;
    await expect(other.resolve("k")).rejects.toThrow();
    expect(lookups).toBe(1);
  });
});
