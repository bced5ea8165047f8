import { type InferenceSession, Tensor } from "onnxruntime-node";
import { replaceState } from "./device-tensors";
import type { IdsType, ModelVariant, StateTensorSpec } from "./types";

function intTensor(type: IdsType, values: number[], dims: number[]): Tensor {
  return type === "int64"
    ? new Tensor(
        "int64",
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      )
    : new Tensor("int32", Int32Array.from(values), dims);
}

function initialState(spec: StateTensorSpec): Tensor {
  const size = spec.initialDims.reduce((n, d) => n * d, 1);
  return spec.type === "float16"
    ? new Tensor("float16", new Uint16Array(size), spec.initialDims)
    : new Tensor("float32", new Float32Array(size), spec.initialDims);
}

/** IEEE half -> float, for models whose logits are float16. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * One sequence's decoding state on one session. With the cache, each step
 * feeds only the new tokens plus the past (KV cache and conv state) the last
 * step returned; without it, every step recomputes the whole sequence from an
 * empty past. Either way `forward` returns the last position's logits.
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
    const total = pastLength + stepTokens.length;
    const v = this.variant;
    const feeds: Record<string, Tensor> = {
      input_ids: intTensor(v.idsType, stepTokens, [1, stepTokens.length]),
    };
    if (v.attentionMask) feeds.attention_mask = intTensor(v.attentionMask, new Array(total).fill(1), [1, total]);
    if (v.positionIds) {
      feeds.position_ids = intTensor(
        v.positionIds,
        Array.from(stepTokens, (_, i) => pastLength + i),
        [1, stepTokens.length],
      );
    }
    if (v.useCacheBranch) feeds.use_cache_branch = new Tensor("bool", Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
    for (const spec of v.state) feeds[spec.input] = this.past?.[spec.input] ?? initialState(spec);

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
