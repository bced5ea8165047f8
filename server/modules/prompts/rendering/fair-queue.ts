import { DomainError } from "@/server/errors";

/**
 * Admits jobs to a pool of `capacity` slots fairly between keys (projects): one key holds at most `perKey`
 * slots, so another key always finds one free once the job ahead of it ends; a freed slot goes to the waiting
 * key served longest ago (round robin), not to the oldest job, so a key with a thousand jobs queued delays
 * another key's next job by at most one job per slot. Past `maxWaitingPerKey` queued jobs, a key is refused
 * with BUSY.
 */
export class FairQueue {
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly running = new Map<string, number>();
  /** When each busy key last got a slot (a counter): the smallest among waiting keys goes next. */
  private readonly served = new Map<string, number>();
  private turns = 0;
  private active = 0;

  constructor(
    private readonly capacity: number,
    private readonly perKey: number,
    private readonly maxWaitingPerKey: number,
  ) {}

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await job();
    } finally {
      this.release(key);
    }
  }

  private free(key: string): boolean {
    return this.active < this.capacity && (this.running.get(key) ?? 0) < this.perKey;
  }

  private acquire(key: string): Promise<void> {
    if (!this.waiting.has(key) && this.free(key)) {
      this.take(key);
      return Promise.resolve();
    }
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.maxWaitingPerKey)
      return Promise.reject(
        new DomainError(
          "BUSY",
          `This project already has ${this.maxWaitingPerKey} templates waiting to render; retry when some have finished`,
        ),
      );
    this.waiting.set(key, queue);
    return new Promise((resolve) => queue.push(resolve));
  }

  private take(key: string) {
    this.active++;
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    this.served.set(key, ++this.turns);
  }

  private release(key: string) {
    this.active--;
    const left = (this.running.get(key) ?? 1) - 1;
    if (left > 0) this.running.set(key, left);
    else this.running.delete(key);
    if (!this.running.has(key) && !this.waiting.has(key)) this.served.delete(key);
    this.dispatch();
  }

  /** Starts waiting jobs while slots are free, each time for the free waiting key served longest ago. */
  private dispatch() {
    while (this.active < this.capacity) {
      let next: string | null = null;
      for (const key of this.waiting.keys())
        if (this.free(key) && (next === null || (this.served.get(key) ?? 0) < (this.served.get(next) ?? 0))) next = key;
      if (next === null) return;
      const queue = this.waiting.get(next)!;
      const resolve = queue.shift()!;
      if (!queue.length) this.waiting.delete(next);
      this.take(next);
      resolve();
    }
  }
}
