import { DecoderState } from "../decoder";
import type { LoadedModel, Sequence } from "../generate";
import { batchingSupport } from "./axes";
import { BatchedDecoder, type PrefilledState } from "./batched-decoder";

/**
 * A joiner is admitted while the padded cache (rows x longest row) stays within PADDING_FACTOR times the real
 * positions plus PADDING_SLACK: short prompts always batch, one long prompt does not make seven short rows
 * attend over (and copy) mostly padding. Past the cap it waits at the head of the line (FIFO, so no one
 * overtakes it) until rows finish; an empty batch always admits.
 */
const PADDING_FACTOR = 2;
const PADDING_SLACK = 256;
/**
 * Newcomers that arrive together are prefilled in padded forwards of at most this many positions (rows x
 * longest prompt): one pass over the weights for several short prompts (measured: +11-56 % aggregate tokens/s
 * at 8 streams of 10-20-token prompts), while a group stays small enough that the rows already decoding are not
 * held long, and the attention scores of a forward (rows x heads x length^2) stay small. Grouping costs the
 * first of a group some TTFT (it waits for the group: +20-30 % mean TTFT measured), so long prompts, which gain
 * little, form small groups. A prompt longer than this is prefilled alone.
 */
const PREFILL_TOKENS = 512;

/**
 * Runs one model's sequences: those that can decode together do, one forward per step for the whole batch
 * (see README "Dynamic batching"). Between steps it drops rows that finished, prefills newcomers (in
 * arrival order; those waiting together in padded forwards) and packs them in, so a newcomer's first token
 * never waits for the batch to finish.
 * Sequences it cannot batch (the model lacks what left padding needs, or the request turned the cache off)
 * run alone, one at a time, in their turn.
 */
export class BatchScheduler {
  /** Batch size in effect: 1 when the model cannot be batched. */
  readonly maxBatch: number;
  /** Why this model runs one sequence at a time; null when it batches. */
  readonly notBatched: string | null;
  private readonly pending: Sequence[] = [];
  private members: Sequence[] = [];
  private readonly leaving = new Map<Sequence, () => void>();
  private readonly decoder: BatchedDecoder | null;
  private running = false;
  /** Batched forwards run, and the sequence-steps they did (their ratio is the mean batch size). */
  private steps = 0;
  private stepRows = 0;

  constructor(
    private readonly model: LoadedModel,
    maxBatch: number,
  ) {
    // WebGPU sessions keep the state in GPU buffers (device-tensors.ts); packing reads rows on the CPU.
    const support =
      model.device === "webgpu"
        ? ({
            batchable: false,
            reason: "WebGPU keeps the cache in GPU buffers, which batching cannot pack yet",
          } as const)
        : batchingSupport(model.info.variant);
    this.notBatched = support.batchable ? null : support.reason;
    this.maxBatch = support.batchable ? maxBatch : 1;
    this.decoder = support.batchable ? new BatchedDecoder(model.session, model.info.variant) : null;
  }

  get stats(): { steps: number; stepRows: number } {
    return { steps: this.steps, stepRows: this.stepRows };
  }

  /** Queues a sequence; resolves once it has left (finished, failed or withdrawn) and the session is free of it. */
  submit(sequence: Sequence): Promise<void> {
    const left = new Promise<void>((resolve) => this.leaving.set(sequence, resolve));
    this.pending.push(sequence);
    if (!this.running) void this.loop();
    return left;
  }

  /** The caller stopped reading: a waiting sequence leaves now, a running one at the next step. */
  withdraw(sequence: Sequence): void {
    if (sequence.finished) return;
    sequence.cancelled = true;
    if (this.pending.includes(sequence)) this.dropWaiting(sequence);
  }

  /** Ends a sequence that never ran: `done` with 'abort' when its signal fired, silently when withdrawn. */
  private dropWaiting(sequence: Sequence): void {
    this.pending.splice(this.pending.indexOf(sequence), 1);
    sequence.abortNow();
    this.leave(sequence);
  }

  private leave(sequence: Sequence): void {
    const resolve = this.leaving.get(sequence);
    this.leaving.delete(sequence);
    resolve?.();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0 || this.members.length > 0) {
        for (const waiting of this.pending.filter((s) => s.cancelled || s.aborted)) this.dropWaiting(waiting);
        for (const member of this.members) {
          if (!member.finished && (member.cancelled || member.aborted)) member.abortNow();
          if (member.finished) this.leave(member);
        }
        const joined = await this.admit();
        const keep = this.members.flatMap((member, row) => (member.finished ? [] : [row]));
        this.decoder?.regroup(
          keep,
          joined.map((j) => j.state),
        );
        this.members = [...keep.map((row) => this.members[row]), ...joined.map((j) => j.sequence)];
        if (this.members.length > 0) await this.step();
      }
    } catch (error) {
      // A bug here must not leave callers waiting forever: everyone in this model's line gets the error.
      for (const sequence of [...this.members, ...this.pending.splice(0)]) {
        sequence.fail(error);
        this.leave(sequence);
      }
      this.members = [];
      this.decoder?.regroup([], []);
    } finally {
      this.running = false;
    }
  }

  /**
   * Prefills waiting sequences, first come first served, while the batch has room: those that arrived
   * together in padded forwards of at most PREFILL_TOKENS positions (where the model allows it), else one
   * by one.
   */
  private async admit(): Promise<{ sequence: Sequence; state: PrefilledState }[]> {
    const joined: { sequence: Sequence; state: PrefilledState }[] = [];
    const chosen: Sequence[] = [];
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (next.cancelled || next.aborted) {
        this.dropWaiting(next);
        continue;
      }
      const live = this.members.filter((m) => !m.finished).length + chosen.length;
      if (live >= this.maxBatch) break;
      if (!this.decoder || !next.useCache) {
        if (live > 0) break;
        this.pending.shift();
        await this.runAlone(next);
        continue;
      }
      if (!this.fits(next.promptIds.length, chosen)) break;
      this.pending.shift();
      chosen.push(next);
    }
    for (const group of this.prefillGroups(chosen)) {
      for (const sequence of group) sequence.begin();
      try {
        const states = await this.decoder!.prefillTogether(group.map((s) => s.promptIds));
        group.forEach((sequence, i) => {
          if (sequence.accept(states[i].logits)) joined.push({ sequence, state: states[i] });
        });
      } catch (error) {
        for (const sequence of group) sequence.fail(error);
      }
      for (const sequence of group) if (sequence.finished) this.leave(sequence);
    }
    return joined;
  }

  /** Arrival order kept; a group's padded size (rows x longest prompt) stays within PREFILL_TOKENS. */
  private prefillGroups(chosen: Sequence[]): Sequence[][] {
    if (!this.decoder?.prefillsTogether) return chosen.map((s) => [s]);
    const groups: Sequence[][] = [];
    let group: Sequence[] = [];
    let longest = 0;
    for (const sequence of chosen) {
      const length = sequence.promptIds.length;
      if (group.length > 0 && (group.length + 1) * Math.max(longest, length) > PREFILL_TOKENS) {
        groups.push(group);
        group = [];
        longest = 0;
      }
      group.push(sequence);
      longest = Math.max(longest, length);
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  private fits(length: number, chosen: Sequence[]): boolean {
    const lengths = this.members.flatMap((m, row) => (m.finished ? [] : [this.decoder!.rowLengths[row]]));
    lengths.push(...chosen.map((s) => s.promptIds.length), length);
    const real = lengths.reduce((sum, n) => sum + n, 0);
    return lengths.length * Math.max(...lengths) <= PADDING_FACTOR * real + PADDING_SLACK;
  }

  /** One forward for every row; rows that finish leave before the next one. */
  private async step(): Promise<void> {
    const members = this.members;
    let logits: Float32Array[];
    try {
      logits = await this.decoder!.step(members.map((m) => m.lastToken));
      this.steps++;
      this.stepRows += members.length;
    } catch (error) {
      for (const member of members) {
        member.fail(error);
        this.leave(member);
      }
      this.decoder!.regroup([], []);
      this.members = [];
      return;
    }
    members.forEach((member, row) => {
      if (!member.accept(logits[row])) this.leave(member);
    });
  }

  /** A sequence that cannot share a batch: its own batch-1 decoder, to the end, while the others wait. */
  private async runAlone(sequence: Sequence): Promise<void> {
    sequence.begin();
    const { session, info } = this.model;
    try {
      const decoder = new DecoderState(session, info.variant, sequence.useCache);
      let logits = await decoder.forward(sequence.promptIds);
      while (sequence.accept(logits)) logits = await decoder.forward([sequence.lastToken]);
    } catch (error) {
      sequence.fail(error);
    }
    this.leave(sequence);
  }
}
