import type { AbortLike } from "@/server/abort";
import { DomainError } from "@/server/errors";

/**
 * Admission for one model: up to `maxRunning` requests run, up to
 * `maxWaiting` wait in order, and anyone past that is refused at once with
 * BUSY rather than piling up behind a model that cannot keep pace.
 */
export class ModelQueue {
  private running = 0;
  private readonly waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly label: string,
    private maxRunning: number,
    private readonly maxWaiting: number,
  ) {}

  get stats() {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Changes how many may run (a model that turns out not to batch runs one at a time); takes effect as slots free. */
  resize(maxRunning: number): void {
    this.maxRunning = maxRunning;
  }

  /** Nothing running or waiting: the model may be unloaded. */
  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }

  /**
   * Resolves with a release function once the request may run. Rejects with
   * BUSY when the queue is full, or with the signal's reason if it aborts
   * while waiting. Call release exactly once.
   */
  acquire(signal?: AbortLike): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.running < this.maxRunning) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(
        new DomainError("BUSY", `model ${this.label} is busy: ${this.waiting.length} requests waiting`),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.releaser());
        },
        reject,
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      while (this.running < this.maxRunning && this.waiting.length > 0) {
        this.running++;
        this.waiting.shift()!.resolve();
      }
    };
  }
}
