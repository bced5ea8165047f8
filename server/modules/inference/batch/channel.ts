/**
 * A one-reader queue from the scheduler (which must never wait for a reader: the other rows of its batch
 * would wait too) to one caller's generator. Items are buffered; a sequence's buffer is bounded by its
 * max tokens.
 */
export class EventChannel<T> {
  private readonly items: T[] = [];
  private closed = false;
  private error: { value: unknown } | null = null;
  private wake: (() => void) | null = null;

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.closed = true;
    this.notify();
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.error = { value: error };
    this.closed = true;
    this.notify();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift()!;
        continue;
      }
      if (this.error) throw this.error.value;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
