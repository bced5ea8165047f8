import type { ModelVariant, StateTensorSpec } from "../types";

/** Where a carried state tensor keeps its batch rows and (for a cache) its positions. */
export interface StateAxes {
  batch: number;
  /** null: a fixed-size state (conv), which has no positions to pad. */
  sequence: number | null;
}

/**
 * The axes of one state tensor, as variant discovery names them (`batchAxis`, `sequenceAxis`); null when they
 * are not usable (such a model is not batched). Every packing function goes through here.
 */
export function axesOf(spec: StateTensorSpec): StateAxes | null {
  const { batchAxis, sequenceAxis } = spec;
  if (!Number.isInteger(batchAxis) || batchAxis < 0) return null;
  if (sequenceAxis !== null && (!Number.isInteger(sequenceAxis) || sequenceAxis <= batchAxis)) return null;
  return { batch: batchAxis, sequence: sequenceAxis };
}

/**
 * Whether sequences of this model can decode together, and if not, why. Left padding needs an attention mask
 * to hide the padded positions and explicit position_ids to give each row its real positions (a graph without
 * them derives positions from the mask length, which padding would shift). Without a KV cache every step
 * recomputes the whole sequence, so there is nothing to batch step by step.
 */
export function batchingSupport(variant: ModelVariant): { batchable: true } | { batchable: false; reason: string } {
  if (!variant.attentionMask) return { batchable: false, reason: "no attention_mask: rows cannot be padded" };
  if (!variant.positionIds) {
    return {
      batchable: false,
      reason: "no position_ids: the graph derives positions from the mask length, which left padding shifts",
    };
  }
  const unknown = variant.state.find((spec) => axesOf(spec) === null);
  if (unknown) return { batchable: false, reason: `state '${unknown.input}' has no known batch axis` };
  if (!variant.state.some((spec) => axesOf(spec)?.sequence != null)) {
    return { batchable: false, reason: "no KV cache: batching pads one (fixed-size state alone is not batched yet)" };
  }
  return { batchable: true };
}
