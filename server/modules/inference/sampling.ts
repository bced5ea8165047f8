import { seededRandom } from "@/lib/random";
import type { TokenConstraint } from "./constraint";

export interface SamplingOptions {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
  /** 1 = off; Hugging Face's rule: positive logits are divided by it, negative ones multiplied. */
  repetitionPenalty: number;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Applies the repetition penalty in place to the tokens seen so far. */
export function penalize(logits: Float32Array, seen: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of seen) {
    if (id < 0 || id >= logits.length) continue;
    const value = logits[id];
    logits[id] = value > 0 ? value / penalty : value * penalty;
  }
}

/** Indices of the k largest values, largest first (a bounded selection, not a full sort). */
export function topKIndices(values: Float32Array, k: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (kept.length < k) {
      kept.push(i);
      if (kept.length === k) kept.sort((a, b) => values[b] - values[a]);
      continue;
    }
    if (values[i] <= values[kept[k - 1]]) continue;
    let at = k - 1;
    while (at > 0 && values[kept[at - 1]] < values[i]) at--;
    kept.splice(at, 0, i);
    kept.pop();
  }
  return kept.length < k ? kept.sort((a, b) => values[b] - values[a]) : kept;
}

/**
 * Chooses the next token: repetition penalty, then greedy, or temperature,
 * top-k and top-p (nucleus) filtering and a draw from a seeded PRNG, so the
 * same seed and logits give the same tokens.
 */
export class Sampler {
  /** The constraint says the output is complete: nothing may follow. */
  get complete(): boolean {
    return this.constraint?.complete ?? false;
  }

  private readonly random: () => number;
  private readonly seen = new Set<number>();

  constructor(
    private readonly options: SamplingOptions,
    seed: number,
    context: number[] = [],
    /** Constrained decoding: only tokens it allows are picked, and it is told each pick. */
    private readonly constraint: TokenConstraint | null = null,
  ) {
    this.random = seededRandom(seed);
    for (const id of context) this.seen.add(id);
  }

  /** Picks a token from the last position's logits (modified in place) and remembers it. */
  next(logits: Float32Array): number {
    const { temperature, topK, topP, repetitionPenalty } = this.options;
    this.constraint?.mask(logits);
    penalize(logits, this.seen, repetitionPenalty);
    const token = temperature === 0 || topK === 1 ? argmax(logits) : this.draw(logits, temperature, topK, topP);
    this.seen.add(token);
    this.constraint?.advance(token);
    return token;
  }

  private draw(logits: Float32Array, temperature: number, topK: number, topP: number): number {
    const useTopK = topK > 0 && topK < logits.length;
    if (!useTopK && topP >= 1) return this.drawFromAll(logits, temperature);
    let candidates: number[];
    if (useTopK) {
      candidates = topKIndices(logits, topK);
    } else {
      // Nucleus over the whole vocabulary: sort only tokens that could matter (within 30 nats of the best).
      const best = logits[argmax(logits)];
      const floor = best - 30 * temperature;
      candidates = [];
      for (let i = 0; i < logits.length; i++) if (logits[i] >= floor) candidates.push(i);
      candidates.sort((a, b) => logits[b] - logits[a]);
    }
    let max = Number.NEGATIVE_INFINITY;
    for (const id of candidates) max = Math.max(max, logits[id]);
    const weights = candidates.map((id) => Math.exp((logits[id] - max) / temperature));
    let total = weights.reduce((sum, w) => sum + w, 0);
    if (topP < 1) {
      // Candidates are sorted here (top-k returns them sorted): keep the smallest prefix reaching topP.
      let cumulative = 0;
      let keep = 0;
      while (keep < weights.length && cumulative < topP * total) cumulative += weights[keep++];
      candidates = candidates.slice(0, Math.max(keep, 1));
      weights.length = candidates.length;
      total = weights.reduce((sum, w) => sum + w, 0);
    }
    let threshold = this.random() * total;
    for (let i = 0; i < candidates.length; i++) {
      threshold -= weights[i];
      if (threshold <= 0) return candidates[i];
    }
    return candidates[candidates.length - 1];
  }

  /** Plain temperature sampling over the whole vocabulary, without allocating per token. */
  private drawFromAll(logits: Float32Array, temperature: number): number {
    const max = logits[argmax(logits)];
    let total = 0;
    for (let i = 0; i < logits.length; i++) total += Math.exp((logits[i] - max) / temperature);
    let threshold = this.random() * total;
    for (let i = 0; i < logits.length; i++) {
      threshold -= Math.exp((logits[i] - max) / temperature);
      if (threshold <= 0) return i;
    }
    return logits.length - 1;
  }
}
