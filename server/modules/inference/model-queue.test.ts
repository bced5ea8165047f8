import { describe, expect, it } from "vitest";
import { ModelQueue } from "./model-queue";

describe("ModelQueue", () => {
  it("runs up to the limit, queues in order, then refuses with BUSY", async () => {
    const queue = new ModelQueue("tiny", 1, 2);
    const first = await queue.acquire();
    const order: number[] = [];
    const queued = (n: number) =>
      queue.acquire().then((release) => {
        order.push(n);
        return release;
      });
    const second = queued(2);
    const third = queued(3);
    await expect(queue.acquire()).rejects.toMatchObject({
      code: "BUSY",
      message: "model tiny is busy: 2 requests waiting",
    });
    expect(queue.stats).toEqual({ running: 1, waiting: 2 });
    first();
    (await second)();
    (await third)();
    expect(order).toEqual([2, 3]);
    expect(queue.idle).toBe(true);
  });

  it("drops a waiter whose signal aborts", async () => {
    const queue = new ModelQueue("tiny", 1, 1);
    const release = await queue.acquire();
    const controller = new AbortController();
    const waiting = queue.acquire(controller.signal);
    controller.abort(new Error("client went away"));
    await expect(waiting).rejects.toThrow("client went away");
    expect(queue.stats).toEqual({ running: 1, waiting: 0 });
    release();
    release(); // a second call is harmless
    expect(queue.idle).toBe(true);
  });

  it("resize: a model that turns out not to batch lets waiters in only as slots free below the new limit", async () => {
    const queue = new ModelQueue("tiny", 3, 2);
    const a = await queue.acquire();
    const b = await queue.acquire();
    queue.resize(1);
    let admitted = false;
    const waiting = queue.acquire().then((release) => {
      admitted = true;
      return release;
    });
    expect(queue.stats).toEqual({ running: 2, waiting: 1 });
    a();
    await Promise.resolve();
    expect(admitted).toBe(false);
    b();
    (await waiting)();
    expect(queue.idle).toBe(true);
  });
});
