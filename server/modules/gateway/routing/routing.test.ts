import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { ProviderError } from "@/server/modules/providers/errors";
import type { EngineEvent } from "@/server/modules/runs/upstream";
import { DeploymentHealth } from "./health";
import { classifyFailure } from "./run";
import { backoffMs, type Candidate, EXPLORATION, orderDeployments, weightedIndex } from "./strategy";
import { guardEvents } from "./stream";

/** Replays the given draws in order (then repeats the last). */
const draws = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
};
const cand = (ref: string, weight = 1): Candidate => ({ ref, weight, key: ref });
const refs = (list: Candidate[]) => list.map((c) => c.ref);

describe("weightedIndex", () => {
  it("maps a draw onto cumulative weights", () => {
    expect(weightedIndex([3, 1], () => 0)).toBe(0);
    expect(weightedIndex([3, 1], () => 0.74)).toBe(0);
    expect(weightedIndex([3, 1], () => 0.76)).toBe(1);
    expect(weightedIndex([0, 5, 0], () => 0.99)).toBe(1);
  });
  it("never picks a zero weight while a positive one exists, and draws uniformly when all are zero", () => {
    expect(weightedIndex([0, 1], () => 0)).toBe(1);
    expect(weightedIndex([0, 0, 0], () => 0.5)).toBe(1);
  });
});

describe("orderDeployments", () => {
  it("weighted: picks by weight, then the rest for failover", () => {
    const health = new DeploymentHealth();
    const list = [cand("a", 1), cand("b", 3)];
    expect(refs(orderDeployments(list, "weighted", health, draws(0.9, 0)))).toEqual(["b", "a"]);
    expect(refs(orderDeployments(list, "weighted", health, draws(0.1, 0)))).toEqual(["a", "b"]);
  });

  it("least-outstanding: the deployment with fewest requests in flight first", () => {
    const health = new DeploymentHealth();
    health.begin("a");
    health.begin("a");
    const endB = health.begin("b");
    const list = [cand("a"), cand("b"), cand("c")];
    expect(refs(orderDeployments(list, "least-outstanding", health, draws(0)))).toEqual(["c", "b", "a"]);
    endB();
    endB(); // idempotent
    expect(health.outstanding("b")).toBe(0);
    expect(refs(orderDeployments(list, "least-outstanding", health, draws(0.99)))[0]).toBe("c");
  });

  it("lowest-latency: unmeasured first, then the lowest EWMA, with occasional exploration", () => {
    const health = new DeploymentHealth();
    const list = [cand("slow"), cand("fast"), cand("new")];
    health.succeeded("slow", 900);
    health.succeeded("fast", 100);
    // No exploration (draw ≥ EXPLORATION): new (unmeasured), then fast, then slow.
    expect(refs(orderDeployments(list, "lowest-latency", health, draws(0.5)))).toEqual(["new", "fast", "slow"]);
    health.succeeded("new", 500);
    expect(refs(orderDeployments(list, "lowest-latency", health, draws(0.5)))).toEqual(["fast", "new", "slow"]);
    // Exploration: a draw below EXPLORATION, then 0 picks the first of the pool.
    expect(refs(orderDeployments(list, "lowest-latency", health, draws(EXPLORATION / 2, 0, 0.5)))[0]).toBe("slow");
  });

  it("EWMA weighs the newest sample by 0.3", () => {
    const health = new DeploymentHealth();
    health.succeeded("a", 100);
    health.succeeded("a", 200);
    expect(health.ewma("a")).toBeCloseTo(130);
  });

  it("leaves out deployments cooling down, unless all of them are", () => {
    let now = 1_000_000;
    const health = new DeploymentHealth(() => now);
    const policy = { failures: 2, seconds: 30 };
    health.failed("a", "HTTP 500", policy);
    expect(health.isCoolingDown("a")).toBe(false);
    health.failed("a", "HTTP 500", policy);
    expect(health.isCoolingDown("a")).toBe(true);
    expect(health.get("a")).toMatchObject({ cooldownUntil: now + 30_000, lastError: "HTTP 500", totalFailures: 2 });
    const list = [cand("a", 10), cand("b", 1)];
    expect(refs(orderDeployments(list, "weighted", health, draws(0)))).toEqual(["b"]);
    expect(refs(orderDeployments([cand("a")], "weighted", health, draws(0)))).toEqual(["a"]);
    now += 30_001;
    expect(health.isCoolingDown("a")).toBe(false);
    expect(refs(orderDeployments(list, "weighted", health, draws(0)))).toEqual(["a", "b"]);
  });

  it("a success ends the failure streak and the cooldown", () => {
    const health = new DeploymentHealth(() => 0);
    health.failed("a", "x", { failures: 1, seconds: 60 });
    expect(health.isCoolingDown("a")).toBe(true);
    health.succeeded("a", 50);
    expect(health.get("a")).toMatchObject({ consecutiveFailures: 0, cooldownUntil: null });
  });
});

describe("backoffMs", () => {
  const policy = { backoffMs: 100, maxBackoffMs: 1_000 };
  it("doubles per retry with jitter in [half, full], capped at the maximum", () => {
    expect(backoffMs(policy, 0, () => 0)).toBe(50);
    expect(backoffMs(policy, 0, () => 1)).toBe(100);
    expect(backoffMs(policy, 2, () => 0.5)).toBe(300);
    expect(backoffMs(policy, 10, () => 1)).toBe(1_000);
    expect(backoffMs(policy, 10, () => 0)).toBe(500);
  });
});

describe("classifyFailure", () => {
  it("retries server-side failures, moves on from broken deployments, and returns the caller's errors", () => {
    expect(classifyFailure(new ProviderError("UPSTREAM", "HTTP 500", { status: 500, retryable: true }))).toBe("retry");
    expect(classifyFailure(new ProviderError("UNAVAILABLE", "refused", { retryable: true }))).toBe("retry");
    expect(classifyFailure(new DomainError("BUSY", "queue full"))).toBe("retry");
    expect(classifyFailure(new ProviderError("BAD_REQUEST", "HTTP 400", { status: 400 }))).toBe("caller");
    expect(classifyFailure(new DomainError("VALIDATION", "bad"))).toBe("caller");
    expect(classifyFailure(new DomainError("GUARDRAIL_BLOCKED", "blocked"))).toBe("caller");
    expect(classifyFailure(new ProviderError("UPSTREAM", "HTTP 401", { status: 401 }))).toBe("next");
    expect(classifyFailure(new DomainError("NOT_FOUND", "no model"))).toBe("next");
    expect(classifyFailure(new Error("boom"))).toBe("next");
  });
});

describe("guardEvents", () => {
  it("releases the attempt and closes the events when a stream whose first event is its last is returned", async () => {
    let closed = false;
    async function* events(): AsyncGenerator<EngineEvent> {
      try {
        yield done;
      } finally {
        closed = true;
      }
    }
    const done: EngineEvent = {
      type: "done",
      device: "cpu",
      ttftMs: null,
      tokensIn: 1,
      tokensOut: 0,
      durationMs: 0,
      finishReason: "content_filter",
    };
    const source = events();
    const first = await source.next();
    let released = 0;
    const guarded = guardEvents(source, 1_000, new AbortController(), "d", () => released++, first);
    expect(await guarded.next()).toEqual({ done: false, value: done });
    await guarded.return(undefined);
    expect(released).toBe(1);
    expect(closed).toBe(true);
  });
});
