import type { InferenceSession, Tensor } from "onnxruntime-node";
import { replaceState } from "./device-tensors";
import { stepFeeds } from "./step-feeds";
import type { ModelVariant } from "./types";

/** IEEE half -> float, for models whose logits are float16 (the batched decoder reads rows with it too). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * One sequence's decoding state on one session. With the cache, each step
 * feeds only the new tokens plus the past (KV cache, conv and state-space
 * state) the last step returned; without it, every step recomputes the whole
 * sequence from an empty past. Either way `forward` returns the last
 * position's logits, however many positions the model returned
 * (`logits_to_keep` makes it one).
 */
export class DecoderState {
  private readonly tokens: number[] = [];
  private past: Record<string, Tensor> | null = null;
  private readonly carry: boolean;

  constructor(
    private readonly session: InferenceSession,
    private readonly variant: ModelVariant,
    useCache: boolean,
  ) {
    this.carry = useCache && variant.state.length > 0;
  }

  get length(): number {
    return this.tokens.length;
  }

  async forward(newTokens: number[]): Promise<Float32Array> {
    const pastLength = this.carry ? this.tokens.length : 0;
    this.tokens.push(...newTokens);
    const stepTokens = this.carry ? newTokens : this.tokens;
    const v = this.variant;
    const feeds = stepFeeds(v, { tokens: stepTokens, pastLength, past: this.past });
    const fetches = this.carry ? ["logits", ...v.state.map((s) => s.output)] : ["logits"];
    const outputs = await this.session.run(feeds, fetches);
    if (this.carry) {
      const next: Record<string, Tensor> = {};
      for (const spec of v.state) next[spec.input] = outputs[spec.output] as Tensor;
      this.past = replaceState(this, this.past, next);
    }
    return lastRow(outputs.logits as Tensor, v.vocabSize);
  }
}

function lastRow(logits: Tensor, vocabSize: number): Float32Array {
  const width = Number(logits.dims[logits.dims.length - 1] ?? vocabSize);
  const rows = logits.data.length / width;
  const start = (rows - 1) * width;
  if (logits.data instanceof Uint16Array) {
    // float16 as raw bits (runtimes without Float16Array).
    const bits = logits.data;
    return Float32Array.from({ length: width }, (_, i) => halfToFloat(bits[start + i]));
  }
  if (!(logits.data instanceof Float32Array)) {
    return Float32Array.from(logits.data as ArrayLike<number>).subarray(start, start + width);
  }
  // A copy: the sampler modifies it, and the session's buffer is not ours to change.
  return (logits.data as Float32Array).slice(start, start + width);
}
