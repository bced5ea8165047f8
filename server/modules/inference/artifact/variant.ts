import { DomainError } from "@/server/errors";
import type { IdsType, ModelVariant, StateTensorSpec, StateType, TensorSpec } from "../types";

/** The `config.json` fields variant discovery falls back on when the graph's shapes are symbolic. */
export interface ModelConfigHints {
  vocabSize?: number;
  heads?: number;
  kvHeads?: number;
  headSize?: number;
}

const unprocessable = (message: string) => new DomainError("UNPROCESSABLE", message);

function describeTensor(spec: TensorSpec): string {
  return `'${spec.name}' (${spec.type} [${spec.dims.join(", ")}])`;
}

const ID_TYPES = new Set(["int32", "int64"]);
const STATE_TYPES = new Set(["float32", "float16"]);

type Role =
  | { role: "ids" | "mask" | "positions" | "branch" }
  | { role: "kv"; layer: number; part: "key" | "value" }
  | { role: "combined"; layer: number }
  | { role: "conv"; layer: number };

function roleOf(name: string): Role | null {
  if (name === "input_ids") return { role: "ids" };
  if (name === "attention_mask") return { role: "mask" };
  if (name === "position_ids") return { role: "positions" };
  if (name === "use_cache_branch") return { role: "branch" };
  let match = /^past_key_values\.(\d+)\.(key|value)$/.exec(name);
  if (match) return { role: "kv", layer: Number(match[1]), part: match[2] as "key" | "value" };
  match = /^past_(\d+)$/.exec(name);
  if (match) return { role: "combined", layer: Number(match[1]) };
  match = /^past_conv\.(\d+)$/.exec(name);
  if (match) return { role: "conv", layer: Number(match[1]) };
  return null;
}

/** Names the output that carries an input's state to the next step may have, the usual one first. */
function presentNames(input: string): string[] {
  return input.startsWith("past_key_values.")
    ? [input.replace("past_key_values.", "present."), input.replace("past_key_values.", "present_key_values.")]
    : [input.replace(/^past_/, "present_")];
}

function numeric(dim: number | string | undefined): number | null {
  return typeof dim === "number" && dim > 0 ? dim : null;
}

/**
 * Works out how to drive a decoder from its inputs and outputs alone:
 * which id dtype, which cache layout and dtype, whether there are
 * position_ids, a `use_cache_branch` switch, or conv state. Anything it
 * does not understand is refused with a message naming the tensor.
 */
export function discoverVariant(inputs: TensorSpec[], outputs: TensorSpec[], hints: ModelConfigHints): ModelVariant {
  const outputNames = new Set(outputs.map((o) => o.name));
  const logits = outputs.find((o) => o.name === "logits");
  if (!logits) throw unprocessable("logits output missing: not a causal LM");
  if (logits.type !== "float32" && logits.type !== "float16") {
    throw unprocessable(`output ${describeTensor(logits)} must be float32 or float16`);
  }
  const ids = inputs.find((i) => i.name === "input_ids");
  if (!ids) throw unprocessable("input 'input_ids' missing: not a causal LM");

  let mask: IdsType | null = null;
  let positions: IdsType | null = null;
  let branch = false;
  const kv = new Map<number, { key?: TensorSpec; value?: TensorSpec }>();
  const combined = new Map<number, TensorSpec>();
  const conv = new Map<number, TensorSpec>();
  for (const input of inputs) {
    const role = roleOf(input.name);
    if (!role) throw unprocessable(`input ${describeTensor(input)} is not understood`);
    switch (role.role) {
      case "ids":
      case "mask":
      case "positions":
        if (!ID_TYPES.has(input.type) || input.dims.length !== 2) {
          throw unprocessable(`input ${describeTensor(input)} must be int32 or int64 [batch, sequence]`);
        }
        if (role.role === "mask") mask = input.type as IdsType;
        if (role.role === "positions") positions = input.type as IdsType;
        break;
      case "branch":
        if (input.type !== "bool") throw unprocessable(`input ${describeTensor(input)} must be bool`);
        branch = true;
        break;
      case "kv": {
        if (!STATE_TYPES.has(input.type) || input.dims.length !== 4) {
          throw unprocessable(
            `input ${describeTensor(input)} must be float32 or float16 [batch, heads, past, head_size]`,
          );
        }
        const entry = kv.get(role.layer) ?? {};
        entry[role.part] = input;
        kv.set(role.layer, entry);
        break;
      }
      case "combined":
        if (!STATE_TYPES.has(input.type) || input.dims.length !== 5 || input.dims[0] !== 2) {
          throw unprocessable(
            `input ${describeTensor(input)} must be float32 or float16 [2, batch, heads, past, head_size]`,
          );
        }
        combined.set(role.layer, input);
        break;
      case "conv":
        if (!STATE_TYPES.has(input.type) || input.dims.length < 2 || !input.dims.slice(1).every((d) => numeric(d))) {
          throw unprocessable(`input ${describeTensor(input)} must be float32 or float16 [batch, ...fixed sizes]`);
        }
        conv.set(role.layer, input);
        break;
    }
  }
  if (kv.size > 0 && combined.size > 0) {
    throw unprocessable("inputs mix past_key_values.N.key/value and past_N: one cache layout per model");
  }
  const kvLayers = kv.size > 0 ? kv.size : combined.size;
  if (branch && kvLayers === 0)
    throw unprocessable("input 'use_cache_branch' present but there is no past_key_values input");

  const state: StateTensorSpec[] = [];
  const present = (input: TensorSpec) => {
    const names = presentNames(input.name);
    const output = names.find((name) => outputNames.has(name));
    if (!output)
      throw unprocessable(`output '${names[0]}' missing: nothing carries input '${input.name}' to the next step`);
    return output;
  };
  const checkLayers = (layers: number[], what: string) => {
    layers.forEach((layer, i) => {
      if (layer !== i) throw unprocessable(`${what} layers are not numbered 0..${layers.length - 1} (found ${layer})`);
    });
  };
  const sortedKv = [...kv.entries()].sort(([a], [b]) => a - b);
  checkLayers(
    sortedKv.map(([l]) => l),
    "past_key_values",
  );
  const sortedCombined = [...combined.entries()].sort(([a], [b]) => a - b);
  checkLayers(
    sortedCombined.map(([l]) => l),
    "past_N",
  );
  const sortedConv = [...conv.entries()].sort(([a], [b]) => a - b);
  checkLayers(
    sortedConv.map(([l]) => l),
    "past_conv",
  );

  const kvTensors: TensorSpec[] = [];
  for (const [layer, { key, value }] of sortedKv) {
    if (!key || !value)
      throw unprocessable(`layer ${layer} has a past ${key ? "key" : "value"} but no past ${key ? "value" : "key"}`);
    kvTensors.push(key, value);
  }
  kvTensors.push(...sortedCombined.map(([, t]) => t));
  const cacheTypes = new Set(kvTensors.map((t) => t.type));
  if (cacheTypes.size > 1) throw unprocessable(`past inputs mix ${[...cacheTypes].join(" and ")}`);

  // Heads and head size: from the graph when numeric, else from config.json.
  const first = kvTensors[0];
  const offset = combined.size > 0 ? 1 : 0;
  const kvHeads = first ? (numeric(first.dims[offset + 1]) ?? hints.kvHeads ?? hints.heads ?? null) : null;
  const headSize = first ? (numeric(first.dims[offset + 3]) ?? hints.headSize ?? null) : null;
  if (first && (kvHeads === null || headSize === null)) {
    throw unprocessable(`cannot tell heads and head size from ${describeTensor(first)} or config.json`);
  }
  for (const [layer, { key, value }] of sortedKv) {
    for (const [kind, spec] of [
      ["key", key],
      ["value", value],
    ] as const) {
      if (!spec) continue;
      state.push({
        input: spec.name,
        output: present(spec),
        kind,
        layer,
        type: spec.type as StateType,
        initialDims: [1, kvHeads!, 0, headSize!],
      });
    }
  }
  for (const [layer, spec] of sortedCombined) {
    state.push({
      input: spec.name,
      output: present(spec),
      kind: "key_value",
      layer,
      type: spec.type as StateType,
      initialDims: [2, 1, kvHeads!, 0, headSize!],
    });
  }
  for (const [layer, spec] of sortedConv) {
    state.push({
      input: spec.name,
      output: present(spec),
      kind: "conv",
      layer,
      type: spec.type as StateType,
      initialDims: [1, ...spec.dims.slice(1).map((d) => d as number)],
    });
  }

  const vocabSize = numeric(logits.dims[logits.dims.length - 1]) ?? hints.vocabSize ?? null;
  if (vocabSize === null)
    throw unprocessable(`cannot tell the vocabulary size from ${describeTensor(logits)} or config.json`);

  const variant: Omit<ModelVariant, "description"> = {
    idsType: ids.type as IdsType,
    attentionMask: mask,
    positionIds: positions,
    useCacheBranch: branch,
    cacheLayout: kv.size > 0 ? "per-layer" : combined.size > 0 ? "combined" : null,
    cacheType: first ? (first.type as StateType) : null,
    convState: conv.size > 0,
    layers: Math.max(kvLayers, conv.size),
    kvHeads,
    headSize,
    vocabSize,
    logitsType: logits.type as "float32" | "float16",
    state,
  };
  return { ...variant, description: describeVariant(variant) };
}

function describeVariant(v: Omit<ModelVariant, "description">): string {
  const parts = [`${v.idsType} ids`];
  parts.push(
    v.cacheLayout
      ? `${v.cacheLayout} ${v.cacheType} KV cache (${v.layers} layers x ${v.kvHeads} heads x ${v.headSize})`
      : "no KV cache (full recompute each step)",
  );
  if (v.positionIds) parts.push("position_ids");
  if (!v.attentionMask) parts.push("no attention_mask");
  if (v.useCacheBranch) parts.push("merged decoder (use_cache_branch)");
  if (v.convState) parts.push("conv state");
  parts.push(`vocabulary ${v.vocabSize}`);
  return parts.join(", ");
}
