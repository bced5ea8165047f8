/**
 * The input names decoder exports use, and what each one means. The names
 * come from the exporters themselves (optimum, transformers.js's
 * `getCacheNames`, older onnxruntime GPT-2 exports); see the module README's
 * table. `variant.ts` checks the dtypes and shapes.
 */

export type FixedStateKind = "conv" | "ssm" | "recurrent";

export type Role =
  | { role: "ids" | "mask" | "positions" | "tokenTypes" | "cachePosition" | "branch" }
  | { role: "logitsToKeep"; name: "logits_to_keep" | "num_logits_to_keep" }
  | { role: "kv"; layer: number; part: "key" | "value" }
  | { role: "combined"; layer: number }
  | { role: "fixed"; layer: number; kind: FixedStateKind };

/** Listed in the message that refuses an unknown input, so the reader sees what would have worked. */
export const UNDERSTOOD_INPUTS = [
  "input_ids",
  "attention_mask",
  "position_ids",
  "cache_position",
  "token_type_ids",
  "logits_to_keep",
  "num_logits_to_keep",
  "use_cache_branch",
  "past_key_values.N.key/value",
  "past_N",
  "past_conv.N",
  "past_ssm.N",
  "past_recurrent.N",
];

const FIXED: Record<string, FixedStateKind> = { conv: "conv", ssm: "ssm", recurrent: "recurrent" };

const SIMPLE: Record<string, Role> = {
  input_ids: { role: "ids" },
  attention_mask: { role: "mask" },
  position_ids: { role: "positions" },
  token_type_ids: { role: "tokenTypes" },
  cache_position: { role: "cachePosition" },
  use_cache_branch: { role: "branch" },
  logits_to_keep: { role: "logitsToKeep", name: "logits_to_keep" },
  num_logits_to_keep: { role: "logitsToKeep", name: "num_logits_to_keep" },
};

export function roleOf(name: string): Role | null {
  if (Object.hasOwn(SIMPLE, name)) return SIMPLE[name];
  let match = /^past_key_values\.(\d+)\.(key|value)$/.exec(name);
  if (match) return { role: "kv", layer: Number(match[1]), part: match[2] as "key" | "value" };
  match = /^past_(\d+)$/.exec(name);
  if (match) return { role: "combined", layer: Number(match[1]) };
  match = /^past_(conv|ssm|recurrent)\.(\d+)$/.exec(name);
  if (match) return { role: "fixed", layer: Number(match[2]), kind: FIXED[match[1]] };
  return null;
}

/** Names the output that carries an input's state to the next step may have, the usual one first. */
export function presentNames(input: string): string[] {
  return input.startsWith("past_key_values.")
    ? [input.replace("past_key_values.", "present."), input.replace("past_key_values.", "present_key_values.")]
    : [input.replace(/^past_/, "present_")];
}
