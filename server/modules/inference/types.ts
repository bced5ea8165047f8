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

/** A tensor the decoder carries from one step to the next (KV cache or conv state). */
export interface StateTensorSpec {
  input: string;
  output: string;
  kind: "key" | "value" | "key_value" | "conv";
  layer: number;
  type: StateType;
  /** The first step's input (batch 1): past length 0 for the KV cache, zeros of this shape for conv state. */
  initialDims: number[];
}

/** The export flavour, discovered from the session's input/output metadata. */
export interface ModelVariant {
  idsType: IdsType;
  attentionMask: IdsType | null;
  positionIds: IdsType | null;
  /** Merged decoder (`decoder_model_merged.onnx`): a bool input that switches the past on. */
  useCacheBranch: boolean;
  cacheLayout: "per-layer" | "combined" | null;
  cacheType: StateType | null;
  convState: boolean;
  layers: number;
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
  };
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
  /** An assistant turn's tool calls (OpenAI's shape; `arguments` is JSON text). */
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  /** A `tool` turn: the call it answers. */
  tool_call_id?: string;
  name?: string;
}

/** A tool offered to the model (OpenAI's `function`), passed to the chat template. */
export interface ChatTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
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
