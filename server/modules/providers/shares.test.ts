import { describe, expect, it } from "vitest";
import { ConnectionShares, type ShareLimits } from "./shares";

const limits: ShareLimits = { connections: 4, projectConnections: 2, keyConnections: 2, queuePerProject: 1 };

/** Admits a call and records when it starts; `release` frees its connection. */
function harness(l: ShareLimits = limits) {
  const shares = new ConnectionShares(() => l);
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const admit = (name: string, projectId: string, keyId: string | null = null) =>
    shares.admit("http://up", "up", { projectId, keyId }, (release) => {
      started.push(name);
      releases.set(name, release);
    });
  const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));
  return { shares, started, admit, release: (name: string) => releases.get(name)!(), settle };
}

describe("ConnectionShares", () => {
  it("holds a project to its share while another project is served at once; the excess waits, then is refused", async () => {
    const h = harness();
    h.admit("a1", "A");
    h.admit("a2", "A");
    const withdraw = h.admit("a3", "A");
    expect(withdraw).toBeTypeOf("function");
    expect(() => h.admit("a4", "A")).toThrow(/this project's share of connections to upstream up is in use \(2/);
    h.admit("b1", "B");
    expect(h.started).toEqual(["a1", "a2", "b1"]);
    expect(h.shares.stats("http://up", "A")).toEqual({ active: 2, waiting: 1 });

    h.release("a1");
    await h.settle();
    expect(h.started).toEqual(["a1", "a2", "b1", "a3"]);
  });

  it("refuses with RATE_LIMITED and a retry-after", () => {
    const h = harness({ ...limits, queuePerProject: 0 });
    h.admit("a1", "A");
    h.admit("a2", "A");
    let error: unknown;
    try {
      h.admit("a3", "A");
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 1000 });
    expect((error as Error).message).toContain("SWITCHYARD_UPSTREAM_PROJECT_CONNECTIONS");
  });

  it("holds one key to its share inside its project; another key of the project is not kept waiting by it", () => {
    const h = harness({ ...limits, projectConnections: 3, keyConnections: 1, queuePerProject: 2 });
    h.admit("k1", "A", "key1");
    h.admit("k1-b", "A", "key1");
    h.admit("k2", "A", "key2");
    expect(h.started).toEqual(["k1", "k2"]);
  });

  it("gives freed connections to waiting projects in turn, not to whoever queued most", async () => {
    const h = harness({ connections: 2, projectConnections: 2, keyConnections: 2, queuePerProject: 5 });
    h.admit("a1", "A");
    h.admit("a2", "A");
    h.admit("a3", "A");
    h.admit("a4", "A");
    h.admit("b1", "B");
    h.admit("c1", "C");
    h.release("a1");
    h.release("a2");
    await h.settle();
    // One each for A and B (A queued first), then C comes before A's second waiting call.
    expect(h.started.slice(2)).toEqual(["a3", "b1"]);
    h.release("a3");
    await h.settle();
    expect(h.started.at(-1)).toBe("c1");
  });

  it("forgets a withdrawn call (its caller gave up while it waited)", async () => {
    const h = harness();
    h.admit("a1", "A");
    h.admit("a2", "A");
    const withdraw = h.admit("a3", "A")!;
    withdraw();
    expect(h.shares.stats("http://up", "A")).toEqual({ active: 2, waiting: 0 });
    h.release("a1");
    await h.settle();
    expect(h.started).toEqual(["a1", "a2"]);
    h.release("a2");
    h.release("a2"); // twice is once
    expect(h.shares.stats("http://up")).toEqual({ active: 0, waiting: 0 });
  });
});
