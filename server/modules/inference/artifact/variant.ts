import { DomainError } from "@/server/errors";
import type { IdsType, LogitsToKeepInput, ModelVariant, StateTensorSpec, StateType, TensorSpec } from "../types";
import { type FixedStateKind, presentNames, roleOf, UNDERSTOOD_INPUTS } from "./io-names";

/** The `config.json` fields variant discovery falls back on when the graph's shapes are symbolic. */
export interface ModelConfigHints {
  vocabSize?: number;
  heads?: number;
  /** `num_key_value_heads`: fewer than `heads` in grouped-query attention. */
  kvHeads?: number;
  headSize?: number;
}

const unprocessable = (message: string) => new DomainError("UNPROCESSABLE", message);

function describeTensor(spec: TensorSpec): string {
  return `'${spec.name}' (${spec.type} [${spec.dims.join(", ")}])`;
}

const ID_TYPES = new Set(["int32", "int64"]);
const STATE_TYPES = new Set(["float32", "float16"]);
const FIXED_ORDER: FixedStateKind[] = ["conv", "ssm", "recurrent"];

function numeric(dim: number | string | undefined): number | null {
  return typeof dim === "number" && dim > 0 ? dim : null;
}

/** The inputs sorted by role; each state tensor keyed by kind and layer. */
class Inputs {
  ids: TensorSpec | undefined;
  mask: IdsType | null = null;
  positions: IdsType | null = null;
  tokenTypes: IdsType | null = null;
  cachePosition: IdsType | null = null;
  logitsToKeep: LogitsToKeepInput | null = null;
  branch = false;
  readonly kv = new Map<number, { key?: TensorSpec; value?: TensorSpec }>();
  readonly combined = new Map<number, TensorSpec>();
  readonly fixed = new Map<FixedStateKind, Map<number, TensorSpec>>();
}

/** Two names for one slot (e.g. `past_conv.1` and `past_conv.01`) would feed one state twice. */
function refuseDuplicate(current: TensorSpec | undefined, input: TensorSpec, layer: number, what: string) {
  if (current) throw unprocessable(`inputs '${current.name}' and '${input.name}' both carry layer ${layer}'s ${what}`);
}

function readInputs(inputs: TensorSpec[]): Inputs {
  const found = new Inputs();
  const ints = (input: TensorSpec, rank: number, shape: string) => {
    if (!ID_TYPES.has(input.type) || input.dims.length !== rank) {
      throw unprocessable(`input ${describeTensor(input)} must be int32 or int64 ${shape}`);
    }
    return input.type as IdsType;
  };
  const floats = (input: TensorSpec, ok: boolean, shape: string) => {
    if (!STATE_TYPES.has(input.type) || !ok) {
      throw unprocessable(`input ${describeTensor(input)} must be float32 or float16 ${shape}`);
    }
  };
  for (const input of inputs) {
    const role = roleOf(input.name);
    if (!role) {
      throw unprocessable(
        `input ${describeTensor(input)} is not understood; understood inputs: ${UNDERSTOOD_INPUTS.join(", ")}`,
      );
    }
    switch (role.role) {
      case "ids":
        ints(input, 2, "[batch, sequence]");
        found.ids = input;
        break;
      case "mask":
        found.mask = ints(input, 2, "[batch, sequence]");
        break;
      case "positions":
        found.positions = ints(input, 2, "[batch, sequence]");
        break;
      case "tokenTypes":
        found.tokenTypes = ints(input, 2, "[batch, sequence]");
        break;
      case "cachePosition":
        found.cachePosition = ints(input, 1, "[sequence]");
        break;
      case "logitsToKeep": {
        const scalar = input.dims.length === 0 || (input.dims.length === 1 && input.dims[0] === 1);
        if (!ID_TYPES.has(input.type) || !scalar) {
          throw unprocessable(`input ${describeTensor(input)} must be an int32 or int64 scalar`);
        }
        if (found.logitsToKeep)
          throw unprocessable(
            "inputs 'logits_to_keep' and 'num_logits_to_keep' both present: a model takes one of them",
          );
        found.logitsToKeep = { name: role.name, type: input.type as IdsType, dims: input.dims.length ? [1] : [] };
        break;
      }
      case "branch":
        if (input.type !== "bool") throw unprocessable(`input ${describeTensor(input)} must be bool`);
        found.branch = true;
        break;
      case "kv": {
        floats(input, input.dims.length === 4, "[batch, heads, past, head_size]");
        const entry = found.kv.get(role.layer) ?? {};
        refuseDuplicate(entry[role.part], input, role.layer, `past ${role.part}`);
        entry[role.part] = input;
        found.kv.set(role.layer, entry);
        break;
      }
      case "combined":
        floats(input, input.dims.length === 5 && input.dims[0] === 2, "[2, batch, heads, past, head_size]");
        refuseDuplicate(found.combined.get(role.layer), input, role.layer, "past");
        found.combined.set(role.layer, input);
        break;
      case "fixed": {
        const fixedSize = input.dims.length >= 2 && input.dims.slice(1).every((d) => numeric(d));
        floats(input, fixedSize, "[batch, ...fixed sizes]");
        const slots = found.fixed.get(role.kind) ?? new Map<number, TensorSpec>();
        found.fixed.set(role.kind, slots);
        refuseDuplicate(slots.get(role.layer), input, role.layer, `${role.kind} state`);
        slots.set(role.layer, input);
        break;
      }
    }
  }
  return found;
}

/**
 * Works out how to drive a decoder from its inputs and outputs alone:
 * which id dtype, which cache layout and dtype, which optional inputs, and
 * which state tensors (KV cache, conv, state-space) to carry. Layer numbers
 * are kept as named: hybrid models number attention and conv layers apart.
 * Anything it does not understand is refused with a message naming the tensor.
 */
export function discoverVariant(inputs: TensorSpec[], outputs: TensorSpec[], hints: ModelConfigHints): ModelVariant {
  const outputNames = new Set(outputs.map((o) => o.name));
  const logits = outputs.find((o) => o.name === "logits");
  if (!logits) throw unprocessable("logits output missing: not a causal LM");
  if (logits.type !== "float32" && logits.type !== "float16") {
    throw unprocessable(`output ${describeTensor(logits)} must be float32 or float16`);
  }
  if (logits.dims.length !== 3)
    throw unprocessable(
      `output ${describeTensor(logits)} is not [batch, sequence, vocabulary]: not a causal LM (a classifier or reranker?)`,
    );
  if (!inputs.some((i) => i.name === "input_ids")) throw unprocessable("input 'input_ids' missing: not a causal LM");
  const found = readInputs(inputs);
  const ids = found.ids as TensorSpec;
  const { kv, combined } = found;

  if (kv.size > 0 && combined.size > 0) {
    throw unprocessable("inputs mix past_key_values.N.key/value and past_N: one cache layout per model");
  }
  if (found.branch && kv.size + combined.size === 0)
    throw unprocessable("input 'use_cache_branch' present but there is no past_key_values input");

  const present = (input: TensorSpec) => {
    const names = presentNames(input.name);
    const output = names.find((name) => outputNames.has(name));
    if (!output)
      throw unprocessable(`output '${names[0]}' missing: nothing carries input '${input.name}' to the next step`);
    return output;
  };
  const byLayer = <T>(map: Map<number, T>) => [...map.entries()].sort(([a], [b]) => a - b);

  const kvTensors: [number, "key" | "value", TensorSpec][] = [];
  for (const [layer, { key, value }] of byLayer(kv)) {
    if (!key || !value)
      throw unprocessable(`layer ${layer} has a past ${key ? "key" : "value"} but no past ${key ? "value" : "key"}`);
    kvTensors.push([layer, "key", key], [layer, "value", value]);
  }
  const combinedTensors = byLayer(combined);
  const cacheTypes = new Set([...kvTensors.map(([, , t]) => t.type), ...combinedTensors.map(([, t]) => t.type)]);
  if (cacheTypes.size > 1) throw unprocessable(`past inputs mix ${[...cacheTypes].join(" and ")}`);

  // Heads and head size of each cache tensor: from the graph when numeric, else from config.json.
  const cacheShape = (spec: TensorSpec, offset: number) => {
    const heads = numeric(spec.dims[offset + 1]) ?? hints.kvHeads ?? hints.heads ?? null;
    const headSize = numeric(spec.dims[offset + 3]) ?? hints.headSize ?? null;
    if (heads === null || headSize === null) {
      throw unprocessable(`cannot tell heads and head size from ${describeTensor(spec)} or config.json`);
    }
    return { heads, headSize };
  };
  const state: StateTensorSpec[] = [];
  for (const [layer, kind, spec] of kvTensors) {
    const { heads, headSize } = cacheShape(spec, 0);
    state.push({
      ...{ input: spec.name, output: present(spec), kind, layer, type: spec.type as StateType },
      ...{ initialDims: [1, heads, 0, headSize], batchAxis: 0, sequenceAxis: 2 },
    });
  }
  for (const [layer, spec] of combinedTensors) {
    const { heads, headSize } = cacheShape(spec, 1);
    state.push({
      ...{ input: spec.name, output: present(spec), kind: "key_value", layer, type: spec.type as StateType },
      ...{ initialDims: [2, 1, heads, 0, headSize], batchAxis: 1, sequenceAxis: 3 },
    });
  }
  const fixed = FIXED_ORDER.flatMap((kind) =>
    byLayer(found.fixed.get(kind) ?? new Map<number, TensorSpec>()).map(([layer, spec]) => ({ kind, layer, spec })),
  );
  fixed.sort((a, b) => a.layer - b.layer);
  for (const { kind, layer, spec } of fixed) {
    state.push({
      ...{ input: spec.name, output: present(spec), kind, layer, type: spec.type as StateType },
      ...{ initialDims: [1, ...spec.dims.slice(1).map((d) => d as number)], batchAxis: 0, sequenceAxis: null },
    });
  }

  const vocabSize = numeric(logits.dims[logits.dims.length - 1]) ?? hints.vocabSize ?? null;
  if (vocabSize === null)
    throw unprocessable(`cannot tell the vocabulary size from ${describeTensor(logits)} or config.json`);

  const firstCache = state.find((s) => s.sequenceAxis !== null);
  const offset = firstCache?.kind === "key_value" ? 1 : 0;
  const variant: Omit<ModelVariant, "description"> = {
    idsType: ids.type as IdsType,
    attentionMask: found.mask,
    positionIds: found.positions,
    cachePosition: found.cachePosition,
    tokenTypeIds: found.tokenTypes,
    logitsToKeep: found.logitsToKeep,
    useCacheBranch: found.branch,
    cacheLayout: kv.size > 0 ? "per-layer" : combined.size > 0 ? "combined" : null,
    cacheType: firstCache ? firstCache.type : null,
    convState: found.fixed.has("conv"),
    ssmState: found.fixed.has("ssm") || found.fixed.has("recurrent"),
    layers: state.reduce((n, s) => Math.max(n, s.layer + 1), 0),
    attentionLayers: [...new Set(state.filter((s) => s.sequenceAxis !== null).map((s) => s.layer))],
    kvHeads: firstCache ? firstCache.initialDims[offset + 1] : null,
    headSize: firstCache ? firstCache.initialDims[offset + 3] : null,
    vocabSize,
    logitsType: logits.type as "float32" | "float16",
    state,
  };
  return { ...variant, description: describeVariant(variant) };
}

function describeVariant(v: Omit<ModelVariant, "description">): string {
  const parts = [`${v.idsType} ids`];
  if (v.cacheLayout) {
    const attention = v.attentionLayers;
    const dense = attention.length === v.layers && attention.every((l, i) => l === i);
    const where = dense ? `${v.layers} layers` : `layers ${attention.join(", ")} of ${v.layers}`;
    parts.push(`${v.cacheLayout} ${v.cacheType} KV cache (${where} x ${v.kvHeads} heads x ${v.headSize})`);
  } else {
    parts.push(v.state.length ? "no KV cache" : "no KV cache (full recompute each step)");
  }
  if (v.positionIds) parts.push("position_ids");
  if (v.cachePosition) parts.push("cache_position");
  if (v.tokenTypeIds) parts.push("token_type_ids (zeros)");
  if (v.logitsToKeep) parts.push(`${v.logitsToKeep.name} 1`);
  if (!v.attentionMask) parts.push("no attention_mask");
  if (v.useCacheBranch) parts.push("merged decoder (use_cache_branch)");
  for (const kind of FIXED_ORDER) {
    const layers = v.state.filter((s) => s.kind === kind).map((s) => s.layer);
    if (layers.length) parts.push(`${kind} state (layers ${layers.join(", ")})`);
  }
  parts.push(`vocabulary ${v.vocabSize}`);
  return parts.join(", ");
}
