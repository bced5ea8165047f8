import { describe, expect, it } from "vitest";
import { claimRefresh, REFRESH_RETRY_MS, sharedLoad } from "./refresh-ahead";

describe("sharedLoad", () => {
  it("gives callers that arrive while a load runs that load, and starts a new one once it settled", async () => {
    const inflight = new Map<string, Promise<number>>();
    let starts = 0;
    const start = () => Promise.resolve(++starts);
    const first = sharedLoad(inflight, "k", start);
    const second = sharedLoad(inflight, "k", start);
    expect(second).toBe(first);
    expect(await first).toBe(1);
    expect(inflight.size).toBe(0);
    expect(await sharedLoad(inflight, "k", start)).toBe(2);
  });

  it("forgets a failed load, so the next caller tries again", async () => {
    const inflight = new Map<string, Promise<number>>();
    await expect(sharedLoad(inflight, "k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(inflight.size).toBe(0);
    expect(await sharedLoad(inflight, "k", () => Promise.resolve(7))).toBe(7);
  });
});

describe("claimRefresh", () => {
  it("claims a due entry once, then again only after REFRESH_RETRY_MS", () => {
    const entry = { refreshAt: 100 };
    expect(claimRefresh(entry, 99)).toBe(false);
    expect(claimRefresh(entry, 100)).toBe(true);
    expect(claimRefresh(entry, 101)).toBe(false);
    expect(claimRefresh(entry, 100 + REFRESH_RETRY_MS)).toBe(true);
  });
});
