/** Where a session runs. `auto` tries cuda, then webgpu, then cpu. */
export type Device = "cpu" | "cuda" | "webgpu";
export type DevicePreference = Device | "auto";

export type IdsType = "int32" | "int64";
export type StateType = "float32" | "float16";

/** One graph input or output as onnxruntime reports it. */
export interface TensorSpec {
  name: string;
  type: string;
  dims: (number | string)[];
}

/**
 * What a carried tensor holds. `key`/`value`/`key_value` are attention caches
 * that grow by one position per token; `conv` (short-conv window), `ssm`
 * (state-space state) and `recurrent` (linear-attention state) are fixed-size
 * and replaced each step.
 */
type StateKind = "key" | "value" | "key_value" | "conv" | "ssm" | "recurrent";

/** A tensor the decoder carries from one step to the next (KV cache, conv or state-space state). */
export interface StateTensorSpec {
  input: string;
  output: string;
  kind: StateKind;
  /** The layer number from the tensor's name; hybrid models number their attention and conv layers apart (gaps). */
  layer: number;
  type: StateType;
  /** The first step's input (batch 1): past length 0 for the KV cache, zeros of this shape for fixed-size state. */
  initialDims: number[];
  /** The axis that stacks sequences of a batch: 0, or 1 for the combined `past_N` [2, batch, ...] cache. */
  batchAxis: number;
  /** The axis that grows by one per token (pad here to batch KV caches of different lengths); null for fixed-size state. */
  sequenceAxis: number | null;
}

/** An int64/int32 input the decoder fills with a constant or computed value each step. */
export interface LogitsToKeepInput {
  /** `logits_to_keep` (transformers >= 4.49) or `num_logits_to_keep` (older exports). */
  name: "logits_to_keep" | "num_logits_to_keep";
  type: IdsType;
  /** [] (a scalar, as exported) or [1]. */
  dims: number[];
}

/** The export flavour, discovered from the session's input/output metadata. */
export interface ModelVariant {
  idsType: IdsType;
  attentionMask: IdsType | null;
  positionIds: IdsType | null;
  /** `cache_position` [sequence]: this step's positions (past + i), as transformers exports have. */
  cachePosition: IdsType | null;
  /** `token_type_ids` [batch, sequence]: fed as zeros. */
  tokenTypeIds: IdsType | null;
  /** Fed 1 so the model returns only the last position's logits. */
  logitsToKeep: LogitsToKeepInput | null;
  /** Merged decoder (`decoder_model_merged.onnx`): a bool input that switches the past on. */
  useCacheBranch: boolean;
  cacheLayout: "per-layer" | "combined" | null;
  cacheType: StateType | null;
  convState: boolean;
  /** `past_ssm.N` or `past_recurrent.N`: fixed-size state-space / linear-attention state. */
  ssmState: boolean;
  /** Highest layer number of any state tensor plus one (hybrid models have gaps in each kind's numbering). */
  layers: number;
  /** The layers that have an attention (KV) cache, ascending. */
  attentionLayers: number[];
  /** KV heads as the cache holds them (fewer than the attention heads in grouped-query attention). */
  kvHeads: number | null;
  headSize: number | null;
  vocabSize: number;
  logitsType: "float32" | "float16";
  state: StateTensorSpec[];
  /** One line for people, e.g. "int64 ids, per-layer float16 KV cache (2 layers x 4 heads x 24), position_ids". */
  description: string;
}

/** What `inspectArtifact` finds; JSON-serialisable (the registry stores it). */
export interface ArtifactInfo {
  /** File names relative to the folder. */
  files: {
    model: string;
    tokenizer: string;
    tokenizerConfig: string | null;
    config: string | null;
    generationConfig: string | null;
    /** onnxruntime-genai's model builder config, when the folder has one. */
    genaiConfig?: string | null;
  };
  /** The chosen decoder's variant name (`fp32`, `q4`, `fp16`, ...; see artifact/choose.ts). */
  modelVariant?: string;
  /** Every decoder file of the folder by variant name: what a model version may pick (`onnxVariant`). */
  variants?: { name: string; file: string }[];
  /** External-data files the chosen decoder loads its weights from (relative to its folder). */
  externalData?: string[];
  /** Rows of the graph's position-embedding table (a hard ceiling on the context), when it has one. */
  positionRows?: number | null;
  /** Where `contextLength` came from (see artifact/configs.ts for the precedence). */
  contextLengthSource?: string | null;
  /** The ONNX file plus any external-data files it references. */
  sizeBytes: number;
  parameterCount: number;
  opset: number | null;
  producer: string | null;
  modelType: string | null;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  variant: ModelVariant;
  hasKvCache: boolean;
  contextLength: number | null;
  chatTemplate: string | null;
  eosTokenIds: number[];
  bosTokenId: number | null;
}

export interface ChatMessage {
  role: string;
  content: string;
}

export type FinishReason = "stop" | "length" | "abort" | "eos";

export interface GenerationStats {
  /** From the call to the first sampled token: queue wait, tokenization and prefill. */
  ttftMs: number;
  /** Mean time per output token after the first. */
  tpotMs: number;
  queueMs: number;
  totalMs: number;
  tokensIn: number;
  /** Sampled tokens, the end-of-sequence token not counted. */
  tokensOut: number;
  /** Decode speed: 1000 / tpotMs, or tokensOut over the run time when there is one token. */
  tokensPerSecond: number;
  device: Device;
  finishReason: FinishReason;
  /** The seed used (drawn at random when the request had none), so a run can be repeated. */
  seed: number;
}

export type GenerationEvent = { type: "delta"; text: string } | { type: "done"; text: string; stats: GenerationStats };
