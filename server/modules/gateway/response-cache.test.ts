import { describe, expect, it } from "vitest";
import { ResponseCache } from "./response-cache";

const entry = { payload: { id: "x" }, tokensIn: 1, tokensOut: 2 };
const request = { kind: "chat", stream: false, header: null };
const target = { modelVersionId: "v1", promptVersionId: null };

describe("ResponseCache policy and per-entry TTL", () => {
  it("keeps an entry for its own TTL, else the default", () => {
    let now = 1_000;
    const cache = new ResponseCache(300_000, 10, () => now);
    cache.set("short", entry, 5_000);
    cache.set("default", entry);
    now += 5_001;
    expect(cache.get("short")).toBeUndefined();
    expect(cache.get("default")).toMatchObject(entry);
    now += 295_000;
    expect(cache.get("default")).toBeUndefined();
  });

  it("a route can turn the cache off, or on for sampled requests; its version is part of the key", () => {
    const cache = new ResponseCache(300_000);
    const greedy = { temperature: 0 };
    expect(cache.keyFor(request, target, "in", greedy, { enabled: false, sampled: false })).toBeNull();
    expect(cache.keyFor(request, target, "in", { temperature: 0.7 })).toBeNull();
    expect(cache.keyFor(request, target, "in", { temperature: 0.7 }, { enabled: true, sampled: true })).toMatch(
      /^[0-9a-f]{64}$/,
    );
    const v1 = cache.keyFor(request, target, "in", greedy, { enabled: true, sampled: false, routeVersion: "r@1" });
    const v2 = cache.keyFor(request, target, "in", greedy, { enabled: true, sampled: false, routeVersion: "r@2" });
    expect(v1).not.toBe(v2);
    // The process-wide switch (TTL 0) wins over a route.
    expect(new ResponseCache(0).keyFor(request, target, "in", greedy, { enabled: true, sampled: true })).toBeNull();
  });
});
