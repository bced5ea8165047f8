import { Tensor } from "onnxruntime-node";
import type { IdsType, ModelVariant, StateTensorSpec } from "./types";

export function intTensor(type: IdsType, values: number[], dims: number[]): Tensor {
  return type === "int64"
    ? new Tensor(
        "int64",
        BigInt64Array.from(values, (v) => BigInt(v)),
        dims,
      )
    : new Tensor("int32", Int32Array.from(values), dims);
}

/** The first step's state (`rows` rows, batch 1 by default): an empty KV cache, zeros for fixed-size state. */
function initialState(spec: StateTensorSpec, rows = 1): Tensor {
  const dims = spec.initialDims.map((d, axis) => (axis === spec.batchAxis ? rows : d));
  const size = dims.reduce((n, d) => n * d, 1);
  return spec.type === "float16"
    ? new Tensor("float16", new Uint16Array(size), dims)
    : new Tensor("float32", new Float32Array(size), dims);
}

export interface Step {
  /** This step's tokens: the new ones with a cache, the whole sequence without. */
  tokens: number[];
  /** Positions already in `past` (0 on the first step and when recomputing). */
  pastLength: number;
  /** The state the previous step returned, by input name; missing entries start from `initialState`. */
  past?: Record<string, Tensor> | null;
}

/**
 * Every input of one decoder step (batch 1), as the variant asks for them:
 * ids, the all-ones mask over past + new, positions `past + i` (as
 * `position_ids` [1, S] and `cache_position` [S]), zero `token_type_ids`,
 * `logits_to_keep` 1 (only the last position is read), the merged decoder's
 * switch, and each state tensor. Pure: the same step gives the same feeds.
 */
export function stepFeeds(variant: ModelVariant, { tokens, pastLength, past }: Step): Record<string, Tensor> {
  const v = variant;
  const total = pastLength + tokens.length;
  const positions = Array.from(tokens, (_, i) => pastLength + i);
  const feeds: Record<string, Tensor> = {
    input_ids: intTensor(v.idsType, tokens, [1, tokens.length]),
  };
  if (v.attentionMask) feeds.attention_mask = intTensor(v.attentionMask, new Array(total).fill(1), [1, total]);
  if (v.positionIds) feeds.position_ids = intTensor(v.positionIds, positions, [1, tokens.length]);
  if (v.cachePosition) feeds.cache_position = intTensor(v.cachePosition, positions, [tokens.length]);
  if (v.tokenTypeIds)
    feeds.token_type_ids = intTensor(v.tokenTypeIds, new Array(tokens.length).fill(0), [1, tokens.length]);
  if (v.logitsToKeep) feeds[v.logitsToKeep.name] = intTensor(v.logitsToKeep.type, [1], v.logitsToKeep.dims);
  if (v.useCacheBranch) feeds.use_cache_branch = new Tensor("bool", Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
  for (const spec of v.state) feeds[spec.input] = past?.[spec.input] ?? initialState(spec);
  return feeds;
}

/**
 * The first step of several prompts at once, left-padded to the longest (what a batched step's cache
 * layout is: rows right-aligned, padding masked): ids padded with 0, the mask 0 on padding, each row's real
 * positions 0..n-1 (padding gets 0; it is masked), `cache_position` over the padded length. Only for
 * models whose every state has a sequence axis: padding would flow into a fixed-size (conv) state.
 */
export function paddedPrefillFeeds(variant: ModelVariant, prompts: number[][]): Record<string, Tensor> {
  const v = variant;
  const rows = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const ids = new Array<number>(rows * width).fill(0);
  const mask = new Array<number>(rows * width).fill(0);
  const positions = new Array<number>(rows * width).fill(0);
  prompts.forEach((prompt, row) => {
    const pad = width - prompt.length;
    prompt.forEach((token, i) => {
      ids[row * width + pad + i] = token;
      mask[row * width + pad + i] = 1;
      positions[row * width + pad + i] = i;
    });
  });
  const feeds: Record<string, Tensor> = { input_ids: intTensor(v.idsType, ids, [rows, width]) };
  if (v.attentionMask) feeds.attention_mask = intTensor(v.attentionMask, mask, [rows, width]);
  if (v.positionIds) feeds.position_ids = intTensor(v.positionIds, positions, [rows, width]);
  if (v.cachePosition) {
    feeds.cache_position = intTensor(
      v.cachePosition,
      Array.from({ length: width }, (_, i) => i),
      [width],
    );
  }
  if (v.tokenTypeIds) feeds.token_type_ids = intTensor(v.tokenTypeIds, new Array(rows * width).fill(0), [rows, width]);
  if (v.logitsToKeep) feeds[v.logitsToKeep.name] = intTensor(v.logitsToKeep.type, [1], v.logitsToKeep.dims);
  if (v.useCacheBranch) feeds.use_cache_branch = new Tensor("bool", Uint8Array.of(0), [1]);
  for (const spec of v.state) feeds[spec.input] = initialState(spec, rows);
  return feeds;
}
