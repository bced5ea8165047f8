import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildEncoderGraph, type EncoderDimensions, type EncoderGraphVariant } from "./encoder-graph";
import { encodeModel } from "./graph-builder";

export interface EncoderModelOptions extends Partial<EncoderGraphVariant> {
  layers?: number;
  hiddenSize?: number;
  heads?: number;
  /** max_position_embeddings: the longest input, special tokens included. */
  contextLength?: number;
  seed?: number;
  /** sentence-transformers pooling written to `1_Pooling/config.json`; null: no modules.json at all. */
  pooling?: "mean" | "cls" | "lasttoken" | "max" | null;
  /** A `Normalize` module in modules.json. */
  normalize?: boolean;
}

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
const PUNCTUATION = ".,!?;:'\"()-";
const WORDS = ["the", "a", "is", "of", "and", "to", "in", "cat", "dog", "sat", "on", "mat", "hello", "world", "paris"];
const WORDS_MORE = ["france", "capital", "city", "what", "how", "model", "embedding", "search", "query", "document"];

/** A WordPiece vocabulary: specials, single characters, `##` continuations, and a few whole words. */
function encoderVocabulary(): string[] {
  return [...SPECIALS, ...CHARS, ...PUNCTUATION, ...[...CHARS].map((c) => `##${c}`), ...WORDS, ...WORDS_MORE];
}

/** A BERT tokenizer.json (lowercasing BertNormalizer, BertPreTokenizer, WordPiece, `[CLS] A [SEP] B [SEP]`). */
function encoderTokenizerJson(vocab: string[]) {
  const id = (token: string) => vocab.indexOf(token);
  const special = (token: string, typeId: number) => ({ SpecialToken: { id: token, type_id: typeId } });
  const sequence = (which: "A" | "B", typeId: number) => ({ Sequence: { id: which, type_id: typeId } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
      pair: [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0), sequence("B", 1), special("[SEP]", 1)],
      special_tokens: Object.fromEntries(["[CLS]", "[SEP]"].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, i) => [token, i])),
    },
  };
}

const POOLING_FLAGS = {
  mean: "pooling_mode_mean_tokens",
  cls: "pooling_mode_cls_token",
  lasttoken: "pooling_mode_lasttoken",
  max: "pooling_mode_max_tokens",
} as const;

/** The model folder's files, in memory: name -> bytes or JSON. */
function buildEncoderModel(options: EncoderModelOptions = {}): {
  onnx: Uint8Array;
  json: Record<string, unknown>;
  dimensions: EncoderDimensions;
} {
  const classifier = options.classifier ?? false;
  const variant: EncoderGraphVariant = {
    idsType: options.idsType ?? "int64",
    tokenTypeIds: options.tokenTypeIds ?? true,
    tokenOutput: classifier ? null : options.tokenOutput === undefined ? "last_hidden_state" : options.tokenOutput,
    pooledOutput: classifier ? null : (options.pooledOutput ?? null),
    classifier,
  };
  const vocab = encoderVocabulary();
  const hidden = options.hiddenSize ?? 32;
  const dimensions: EncoderDimensions = {
    vocab: vocab.length,
    hidden,
    heads: options.heads ?? 4,
    layers: options.layers ?? 2,
    ffn: 4 * hidden,
    positions: options.contextLength ?? 64,
  };
  const onnx = encodeModel(buildEncoderGraph(dimensions, variant, options.seed ?? 7), 17, "switchyard-test-encoder");
  const json: Record<string, unknown> = {
    "config.json": {
      architectures: [classifier ? "BertForSequenceClassification" : "BertModel"],
      model_type: "bert",
      vocab_size: dimensions.vocab,
      hidden_size: hidden,
      num_hidden_layers: dimensions.layers,
      num_attention_heads: dimensions.heads,
      intermediate_size: dimensions.ffn,
      max_position_embeddings: dimensions.positions,
      type_vocab_size: 2,
      pad_token_id: 0,
      ...(classifier ? { id2label: { 0: "LABEL_0" }, label2id: { LABEL_0: 0 } } : {}),
    },
    "tokenizer.json": encoderTokenizerJson(vocab),
    "tokenizer_config.json": {
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
      model_max_length: dimensions.positions,
    },
  };
  const pooling = classifier ? null : options.pooling === undefined ? "mean" : options.pooling;
  if (pooling) {
    const modules = [
      { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
      { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
    ];
    if (options.normalize ?? true)
      modules.push({ idx: 2, name: "2", path: "2_Normalize", type: "sentence_transformers.models.Normalize" });
    json["modules.json"] = modules;
    json["1_Pooling/config.json"] = {
      word_embedding_dimension: hidden,
      ...Object.fromEntries(Object.values(POOLING_FLAGS).map((flag) => [flag, flag === POOLING_FLAGS[pooling]])),
      pooling_mode_mean_sqrt_len_tokens: false,
      pooling_mode_weightedmean_tokens: false,
      include_prompt: true,
    };
    json["sentence_bert_config.json"] = { max_seq_length: dimensions.positions, do_lower_case: false };
  }
  return { onnx, json, dimensions };
}

/** Writes the encoder (or, with `classifier`, the cross-encoder reranker) as a Hugging Face style model folder. */
export async function writeEncoderModel(dir: string, options: EncoderModelOptions = {}) {
  const built = buildEncoderModel(options);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "model.onnx"), built.onnx);
  for (const [name, value] of Object.entries(built.json)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }
  return built;
}
