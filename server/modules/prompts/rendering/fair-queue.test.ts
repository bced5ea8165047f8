import { describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { FairQueue } from "./fair-queue";

/** A job that runs until the test releases it, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release,
    job: async () => {
      log.push(name);
      await done;
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("FairQueue", () => {
  it("keeps a slot for other projects and serves waiting projects round robin", async () => {
    const queue = new FairQueue(2, 1, 100);
    const started: string[] = [];
    const a = Array.from({ length: 3 }, (_, i) => gate(started, `a${i}`));
    const b = Array.from({ length: 2 }, (_, i) => gate(started, `b${i}`));
    const c = gate(started, "c0");
    const runs = [...a.map((g) => queue.run("A", g.job)), ...b.map((g) => queue.run("B", g.job))];
    runs.push(queue.run("C", c.job));
    await tick();
    // A holds one of the two slots however many it queued; B got the other.
    expect(started).toEqual(["a0", "b0"]);
    a[0].release();
    await tick();
    // A's slot went to C (waiting longer than A's next job in round-robin order), not to a1.
    expect(started).toEqual(["a0", "b0", "c0"]);
    b[0].release();
    await tick();
    expect(started).toEqual(["a0", "b0", "c0", "a1"]);
    for (const g of [...a, ...b, c]) g.release();
    await Promise.all(runs);
    expect(started).toHaveLength(6);
  });

  it("refuses a project's jobs past its waiting bound with BUSY and still runs the others", async () => {
    const queue = new FairQueue(1, 1, 1);
    const started: string[] = [];
    const first = gate(started, "1");
    const second = gate(started, "2");
    const running = queue.run("A", first.job);
    const waiting = queue.run("A", second.job);
    const refused = queue.run("A", async () => "3");
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: "BUSY" });
    first.release();
    second.release();
    expect(await Promise.all([running, waiting])).toEqual(["1", "2"]);
  });

  it("frees the slot of a job that throws", async () => {
    const queue = new FairQueue(1, 1, 10);
    await expect(queue.run("A", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await queue.run("A", async () => "next")).toBe("next");
  });
});
