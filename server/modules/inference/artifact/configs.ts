/**
 * What a model folder's JSON configs say, merged in one place with a stated precedence:
 * `config.json`, `generation_config.json`, `tokenizer_config.json` (Hugging Face) and
 * `genai_config.json` (onnxruntime-genai's model builder). Pure functions: the folder is read in inspect.ts.
 */

type Json = Record<string, unknown>;

export const positiveInt = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
export const tokenIds = (value: unknown): number[] =>
  (Array.isArray(value) ? value : [value]).filter(
    (v): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0,
  );
const object = (value: unknown): Json =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};

/** genai_config.json's fields we use (`model.decoder.filename`, `model.context_length`, token ids, head counts). */
export interface GenaiConfig {
  decoderFile: string | null;
  contextLength: number | undefined;
  maxLength: number | undefined;
  eosTokenIds: number[];
  bosTokenId: number | undefined;
  padTokenId: number | undefined;
  vocabSize: number | undefined;
  heads: number | undefined;
  kvHeads: number | undefined;
  headSize: number | undefined;
  hiddenSize: number | undefined;
}

export function readGenaiConfig(raw: Json | null): GenaiConfig | null {
  if (!raw) return null;
  const model = object(raw.model);
  const decoder = object(model.decoder);
  const search = object(raw.search);
  return {
    decoderFile: typeof decoder.filename === "string" && decoder.filename ? decoder.filename : null,
    contextLength: positiveInt(model.context_length),
    maxLength: positiveInt(search.max_length),
    eosTokenIds: tokenIds(model.eos_token_id),
    bosTokenId: tokenIds(model.bos_token_id)[0],
    padTokenId: tokenIds(model.pad_token_id)[0],
    vocabSize: positiveInt(model.vocab_size),
    heads: positiveInt(decoder.num_attention_heads),
    kvHeads: positiveInt(decoder.num_key_value_heads),
    headSize: positiveInt(decoder.head_size),
    hiddenSize: positiveInt(decoder.hidden_size),
  };
}

export type ContextLengthSource =
  | "registry"
  | "position table"
  | "genai_config.json"
  | "config.json"
  | "tokenizer_config.json";

export interface ContextInputs {
  /** The registry's `models.context_length`, set by the user. */
  override?: number | null;
  /** Rows of the graph's position-embedding table. */
  positionRows?: number | null;
  genai?: GenaiConfig | null;
  config?: Json;
  tokenizerConfig?: Json;
}

/**
 * The context length, first that is set: the registry's (the user's word), the graph's position table, genai's
 * `model.context_length` (else its `search.max_length`), config.json (`max_position_embeddings`, `n_positions`, `n_ctx`), the tokenizer's
 * `model_max_length` (tokenizers without a limit say 1e30, so only below 1e7). The position table is also a
 * ceiling: a position past its last row does not exist, whatever anyone says, so an override beyond it is cut.
 */
export function resolveContextLength(inputs: ContextInputs): {
  contextLength: number | null;
  source: ContextLengthSource | null;
} {
  const config = inputs.config ?? {};
  const tokenizerMax = positiveInt(inputs.tokenizerConfig?.model_max_length);
  const ordered: [number | null | undefined, ContextLengthSource][] = [
    [positiveInt(inputs.override), "registry"],
    [positiveInt(inputs.positionRows), "position table"],
    [inputs.genai?.contextLength ?? inputs.genai?.maxLength, "genai_config.json"],
    [
      positiveInt(config.max_position_embeddings) ?? positiveInt(config.n_positions) ?? positiveInt(config.n_ctx),
      "config.json",
    ],
    [tokenizerMax && tokenizerMax < 10_000_000 ? tokenizerMax : undefined, "tokenizer_config.json"],
  ];
  const found = ordered.find(([value]) => value);
  if (!found) return { contextLength: null, source: null };
  const rows = positiveInt(inputs.positionRows);
  if (rows && found[0]! > rows) return { contextLength: rows, source: "position table" };
  return { contextLength: found[0]!, source: found[1] };
}

/** End-of-sequence ids: generation_config and genai_config together, else config.json; empty when none say. */
export function eosTokenIdsOf(generationConfig: Json, genai: GenaiConfig | null, config: Json): number[] {
  let ids = [...tokenIds(generationConfig.eos_token_id), ...(genai?.eosTokenIds ?? [])];
  if (ids.length === 0) ids = tokenIds(config.eos_token_id);
  return [...new Set(ids)];
}

export function bosTokenIdOf(generationConfig: Json, genai: GenaiConfig | null, config: Json): number | null {
  return tokenIds(generationConfig.bos_token_id)[0] ?? genai?.bosTokenId ?? tokenIds(config.bos_token_id)[0] ?? null;
}

/**
 * The artifact as the registry configures it: the registry's context length replaces what the folder says
 * (cut at the position table, which is physical). Applied per request, so a changed setting takes effect
 * without reloading the model.
 */
export function withContextOverride<T extends { info: { contextLength: number | null; positionRows?: number | null } }>(
  model: T,
  override: number | null | undefined,
): T {
  if (!positiveInt(override)) return model;
  const { contextLength, source } = resolveContextLength({ override, positionRows: model.info.positionRows });
  return { ...model, info: { ...model.info, contextLength, contextLengthSource: source } };
}
