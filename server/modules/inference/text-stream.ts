/**
 * Turns token ids into text deltas without ever splitting a character.
 *
 * Byte-level tokens can end in the middle of a UTF-8 sequence (🚀 is four
 * tokens in the test model); decoding such a prefix yields U+FFFD. So a
 * window of tokens is decoded and new text is released only when it does
 * not end in U+FFFD (the method Hugging Face's text-generation-inference
 * uses). Decoding a short window, not the whole output, keeps it O(n), and
 * starting it a few tokens back gives the decoder its context (leading
 * spaces, merged pieces).
 */
export class IncrementalDetokenizer {
  private readonly ids: number[];
  private prefixOffset: number;
  private readOffset: number;

  constructor(
    private readonly decode: (ids: number[]) => string,
    context: number[] = [],
  ) {
    this.ids = context.slice(-5);
    this.prefixOffset = 0;
    this.readOffset = this.ids.length;
  }

  /** The text `id` completes; "" while a character is still incomplete. */
  push(id: number): string {
    this.ids.push(id);
    return this.release(false);
  }

  /** Whatever is held back (an incomplete character at the very end decodes to U+FFFD). */
  flush(): string {
    return this.release(true);
  }

  private release(force: boolean): string {
    const before = this.decode(this.ids.slice(this.prefixOffset, this.readOffset));
    const after = this.decode(this.ids.slice(this.prefixOffset));
    if (after.length <= before.length || (!force && after.endsWith("\uFFFD"))) return "";
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    return after.slice(before.length);
  }
}

/**
 * Holds back text that might be the start of a stop sequence, and cuts the
 * output where one appears: the stop text itself is never emitted.
 */
export class StopMatcher {
  private pending = "";

  constructor(private readonly stops: string[]) {}

  push(delta: string): { text: string; stopped: boolean } {
    this.pending += delta;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at !== -1 && (cut === -1 || at < cut)) cut = at;
    }
    if (cut !== -1) {
      const text = this.pending.slice(0, cut);
      this.pending = "";
      return { text, stopped: true };
    }
    let hold = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > hold; length--) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          hold = length;
          break;
        }
      }
    }
    const text = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { text, stopped: false };
  }

  flush(): string {
    const text = this.pending;
    this.pending = "";
    return text;
  }
}
