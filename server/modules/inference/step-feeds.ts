import { Tensor } from "onnxruntime-node";
import type { IdsType, ModelVariant, StateTensorSpec } from "./types";

export function intTensor(type: IdsType, values: ArrayLike<number>, dims: number[]): Tensor {
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

/** What one forward feeds, whatever the batch; `forwardFeeds` turns it into the inputs a variant takes. */
interface Forward {
  rows: number;
  /** This forward's tokens per row (row-major [rows, width]). */
  width: number;
  ids: ArrayLike<number>;
  /** The attention mask over past + new, [rows, maskWidth]: 0 on padding. */
  mask: ArrayLike<number>;
  maskWidth: number;
  /** Each token's real position, [rows, width]. */
  positions: ArrayLike<number>;
  /** Each token's index in the (padded) cache, [width]. */
  cachePositions: ArrayLike<number>;
  /** The state the previous forward returned; missing entries start from `initialState`. */
  past: Record<string, Tensor> | null;
  /** The past holds positions (a merged decoder's `use_cache_branch`). */
  pastFilled: boolean;
}

/**
 * The one place that knows a variant's inputs: ids, `attention_mask`, `position_ids`, `cache_position`, zero
 * `token_type_ids`, `logits_to_keep` 1 (only the last position is read), the merged decoder's switch (on once
 * the past holds positions), and each state tensor. Pure: the same forward gives the same feeds.
 */
function forwardFeeds(v: ModelVariant, f: Forward): Record<string, Tensor> {
  const { rows, width } = f;
  const feeds: Record<string, Tensor> = { input_ids: intTensor(v.idsType, f.ids, [rows, width]) };
  if (v.attentionMask) feeds.attention_mask = intTensor(v.attentionMask, f.mask, [rows, f.maskWidth]);
  if (v.positionIds) feeds.position_ids = intTensor(v.positionIds, f.positions, [rows, width]);
  if (v.cachePosition) feeds.cache_position = intTensor(v.cachePosition, f.cachePositions, [width]);
  if (v.tokenTypeIds) feeds.token_type_ids = intTensor(v.tokenTypeIds, new Uint8Array(rows * width), [rows, width]);
  if (v.logitsToKeep) feeds[v.logitsToKeep.name] = intTensor(v.logitsToKeep.type, [1], v.logitsToKeep.dims);
  if (v.useCacheBranch) feeds.use_cache_branch = new Tensor("bool", Uint8Array.of(f.pastFilled ? 1 : 0), [1]);
  for (const spec of v.state) feeds[spec.input] = f.past?.[spec.input] ?? initialState(spec, rows);
  return feeds;
}

/** [rows, total]: per row, `total - length` zeros (left padding) then ones. */
function leftPaddedMask(lengths: readonly number[], total: number): Uint8Array {
  const mask = new Uint8Array(lengths.length * total);
  lengths.forEach((length, row) => {
    mask.fill(1, row * total + total - length, (row + 1) * total);
  });
  return mask;
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** One decoder step of one sequence (batch 1): the new tokens after `pastLength` positions, no padding. */
export function stepFeeds(variant: ModelVariant, { tokens, pastLength, past }: Step): Record<string, Tensor> {
  const total = pastLength + tokens.length;
  const positions = range(pastLength, tokens.length);
  return forwardFeeds(variant, {
    rows: 1,
    width: tokens.length,
    ids: tokens,
    mask: new Uint8Array(total).fill(1),
    maskWidth: total,
    positions,
    cachePositions: positions,
    past: past ?? null,
    pastFilled: pastLength > 0,
  });
}

/**
 * The first step of several prompts at once, left-padded to the longest (what a batched step's cache
 * layout is: rows right-aligned, padding masked): ids padded with 0, each row's real positions 0..n-1 (padding
 * gets 0; it is masked), `cache_position` over the padded length. Only for models whose every state has a
 * sequence axis: padding would flow into a fixed-size (conv) state.
 */
export function paddedPrefillFeeds(variant: ModelVariant, prompts: number[][]): Record<string, Tensor> {
  const rows = prompts.length;
  const width = Math.max(...prompts.map((p) => p.length));
  const ids = new Array<number>(rows * width).fill(0);
  const positions = new Array<number>(rows * width).fill(0);
  prompts.forEach((prompt, row) => {
    const start = row * width + width - prompt.length;
    prompt.forEach((token, i) => {
      ids[start + i] = token;
      positions[start + i] = i;
    });
  });
  const lengths = prompts.map((p) => p.length);
  const mask = leftPaddedMask(lengths, width);
  return forwardFeeds(variant, {
    rows,
    width,
    ids,
    mask,
    maskWidth: width,
    positions,
    cachePositions: range(0, width),
    past: null,
    pastFilled: false,
  });
}

/**
 * One token per row on a shared left-padded cache of `padded` positions: each row's mask hides its padding,
 * its position is its real length, and `cache_position` is the padded index (as transformers does under left
 * padding).
 */
export function batchStepFeeds(
  variant: ModelVariant,
  tokens: number[],
  lengths: readonly number[],
  padded: number,
  past: Record<string, Tensor>,
): Record<string, Tensor> {
  return forwardFeeds(variant, {
    rows: tokens.length,
    width: 1,
    ids: tokens,
    mask: leftPaddedMask(
      lengths.map((length) => length + 1),
      padded + 1,
    ),
    maskWidth: padded + 1,
    positions: lengths,
    cachePositions: [padded],
    past,
    pastFilled: true,
  });
}
