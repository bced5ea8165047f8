import type { InferenceSession, Tensor } from "onnxruntime-node";
import { halfToFloat } from "../decoder";
import { batchStepFeeds, paddedPrefillFeeds, stepFeeds } from "../step-feeds";
import type { ModelVariant } from "../types";
import { axesOf, type StateAxes } from "./axes";
import { packRows, type RowSource } from "./pack";

/**
 * A sequence's cache after prefill, ready to join a batch: row `row` of `state`, its `length` real positions
 * right-aligned on the sequence axis (a lone prefill: row 0, no padding; a padded prefill shares one state).
 */
export interface PrefilledState {
  logits: Float32Array;
  state: Record<string, Tensor>;
  row: number;
  /** Positions in the cache: the prompt length. */
  length: number;
}

/**
 * The decoding state of a group of sequences on one session: one forward per step for all of them, each row
 * with its own positions and attention mask. Rows are right-aligned on the cache's sequence axis (left
 * padding, masked). The cache stays exactly as the model returned it while membership is unchanged; only
 * `regroup` copies (drop finished rows, pad and append joiners, trim padding no row needs any more).
 * With one row there is no padding and no copy: the same feeds a batch-1 decoder would make.
 */
export class BatchedDecoder {
  private past: Record<string, Tensor> | null = null;
  private lengths: number[] = [];
  private padded = 0;
  private readonly axes: StateAxes[];

  constructor(
    private readonly session: InferenceSession,
    private readonly variant: ModelVariant,
  ) {
    this.axes = variant.state.map((spec) => {
      const axes = axesOf(spec);
      if (!axes) throw new Error(`state '${spec.input}' cannot be batched`);
      return axes;
    });
  }

  get rows(): number {
    return this.lengths.length;
  }

  /** Real positions per row (what each row's next position id is). */
  get rowLengths(): readonly number[] {
    return this.lengths;
  }

  /** The cache's padded length: the longest row. */
  get paddedLength(): number {
    return this.padded;
  }

  /** One sequence's prompt from an empty past, batch 1 (a merged decoder's first step differs anyway). */
  async prefill(tokens: number[]): Promise<PrefilledState> {
    const v = this.variant;
    const n = tokens.length;
    // Exactly a batch-1 decoder's first step.
    const feeds = stepFeeds(v, { tokens, pastLength: 0, past: null });
    const { logits, state } = await this.forward(feeds);
    return { logits: logitsRow(logits, 0), state, row: 0, length: n };
  }

  /** Whether `prefillTogether` may be used: padding must not reach a fixed-size state. */
  get prefillsTogether(): boolean {
    return this.axes.every((axes) => axes.sequence !== null);
  }

  /**
   * Several prompts in one forward, left-padded (see `paddedPrefillFeeds`): one matrix product per weight
   * instead of one per prompt. Each answer is a row of one shared state, laid out as a batch step expects.
   */
  async prefillTogether(prompts: number[][]): Promise<PrefilledState[]> {
    if (prompts.length === 1) return [await this.prefill(prompts[0])];
    const { logits, state } = await this.forward(paddedPrefillFeeds(this.variant, prompts));
    return prompts.map((prompt, row) => ({ logits: logitsRow(logits, row), state, row, length: prompt.length }));
  }

  /**
   * New membership: rows `keep` of the current group (in that order), then `joiners`. A no-op when nothing
   * changes; a lone joiner's cache is taken as is.
   */
  regroup(keep: number[], joiners: PrefilledState[]): void {
    const unchanged = joiners.length === 0 && keep.length === this.rows && keep.every((row, i) => row === i);
    if (unchanged) return;
    const lengths = [...keep.map((row) => this.lengths[row]), ...joiners.map((j) => j.length)];
    if (lengths.length === 0) {
      this.past = null;
    } else if (keep.length === 0 && this.isWholeState(joiners)) {
      // A lone prefill, or every row of one padded prefill in order: already laid out as a step expects.
      this.past = joiners[0].state;
    } else {
      const padded = Math.max(...lengths);
      const past: Record<string, Tensor> = {};
      this.variant.state.forEach((spec, s) => {
        const sources: RowSource[] = [
          ...keep.map((row) => ({ tensor: this.past![spec.input], row, length: this.lengths[row] })),
          ...joiners.map((j) => ({ tensor: j.state[spec.input], row: j.row, length: j.length })),
        ];
        past[spec.input] = packRows(spec, this.axes[s], sources, padded);
      });
      this.past = past;
    }
    this.lengths = lengths;
    this.padded = lengths.length === 0 ? 0 : Math.max(...lengths);
  }

  /** The joiners are rows 0..n-1, in order, of one state that has exactly n rows. */
  private isWholeState(joiners: PrefilledState[]): boolean {
    const state = joiners[0].state;
    if (joiners.some((j, i) => j.state !== state || j.row !== i)) return false;
    const spec = this.variant.state[0];
    return !spec || state[spec.input].dims[this.axes[0].batch] === joiners.length;
  }

  /** One forward: the logits, and the state it returns keyed by the next forward's input names. */
  private async forward(feeds: Record<string, Tensor>): Promise<{ logits: Tensor; state: Record<string, Tensor> }> {
    const v = this.variant;
    const outputs = await this.session.run(feeds, ["logits", ...v.state.map((s) => s.output)]);
    const state: Record<string, Tensor> = {};
    for (const spec of v.state) state[spec.input] = outputs[spec.output] as Tensor;
    return { logits: outputs.logits as Tensor, state };
  }

  /** One token per row; returns each row's logits (fresh arrays: the sampler modifies them). */
  async step(tokens: number[]): Promise<Float32Array[]> {
    const v = this.variant;
    const rows = this.rows;
    if (tokens.length !== rows || !this.past) throw new Error(`step with ${tokens.length} tokens for ${rows} rows`);
    const { logits, state } = await this.forward(batchStepFeeds(v, tokens, this.lengths, this.padded, this.past));
    this.past = state;
    this.lengths = this.lengths.map((length) => length + 1);
    this.padded += 1;
    return Array.from({ length: rows }, (_, row) => logitsRow(logits, row));
  }
}

/** The last position's logits of batch row `row` (logits are [batch, sequence, vocab]); a copy. */
function logitsRow(logits: Tensor, row: number): Float32Array {
  const dims = logits.dims as number[];
  const width = dims[dims.length - 1];
  const positions = dims.length === 3 ? dims[1] : 1;
  const start = (row * positions + positions - 1) * width;
  const data = logits.data;
  if (data instanceof Float32Array) return data.slice(start, start + width);
  if (data instanceof Uint16Array) return Float32Array.from(data.subarray(start, start + width), halfToFloat);
  return Float32Array.from(
    (data as ArrayLike<number> & { slice(a: number, b: number): ArrayLike<number> }).slice(start, start + width),
  );
}
