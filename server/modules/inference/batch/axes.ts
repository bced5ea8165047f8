import type { ModelVariant, StateTensorSpec } from "../types";

/** Where a carried state tensor keeps its batch rows and (for a cache) its positions. */
export interface StateAxes {
  batch: number;
  /** null: a fixed-size state (conv), which has no positions to pad. */
  sequence: number | null;
}

/**
 * The axes of one state tensor. Explicit `batchAxis`/`sequenceAxis` fields on the spec win (variant discovery
 * is getting them); until then they follow from the kind: key/value [B, H, P, D], key_value [2, B, H, P, D],
 * conv [B, ...fixed]; null for a kind it does not know (such a model is not batched). Every packing function
 * goes through here, so new state kinds only need those fields.
 */
export function axesOf(spec: StateTensorSpec): StateAxes | null {
  const explicit = spec as StateTensorSpec & { batchAxis?: number; sequenceAxis?: number | null };
  if (explicit.batchAxis !== undefined && explicit.sequenceAxis !== undefined) {
    return { batch: explicit.batchAxis, sequence: explicit.sequenceAxis };
  }
  switch (spec.kind) {
    case "key":
    case "value":
      return { batch: 0, sequence: 2 };
    case "key_value":
      return { batch: 1, sequence: 3 };
    case "conv":
      return { batch: 0, sequence: null };
    default:
      return null;
  }
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
    return { batchable: false, reason: "no KV cache: every step recomputes the whole sequence" };
  }
  return { batchable: true };
}
