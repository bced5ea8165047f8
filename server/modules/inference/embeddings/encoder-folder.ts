import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import type { InferenceSession } from "onnxruntime-node";
import { DomainError } from "@/server/errors";
import { positiveInt } from "../artifact/configs";
import { exists, readFolderGraphs } from "../artifact/files";
import { readOnnxFacts } from "../artifact/onnx-file";
import { openModelSession, specsOf } from "../artifact/session";
import { DeviceSelector } from "../devices";
import type { Device, IdsType, TensorSpec } from "../types";
import { POOLING_FLAGS, POOLING_ORDER, type PoolingMode } from "./pooling";

const unprocessable = (message: string) => new DomainError("UNPROCESSABLE", message);

const TOKEN_OUTPUTS = ["last_hidden_state", "token_embeddings"];
const ENCODER_INPUTS = ["input_ids", "attention_mask", "token_type_ids"];

/** What an encoder folder is and how to drive it, read from its graph and configs. */
export interface EncoderInfo {
  /** `embedding`: vectors; `rerank`: a cross-encoder with one logit per (query, document) pair. */
  kind: "embedding" | "rerank";
  modelFile: string;
  sizeBytes: number;
  idsType: IdsType;
  tokenTypeIds: boolean;
  /** The output the vectors come from, and whether it is per token (then pooled) or already pooled. */
  output: { name: string; perToken: boolean } | null;
  pooling: { modes: PoolingMode[]; normalize: boolean; source: "modules.json" | "default" };
  /** The longest input in tokens, special tokens included. */
  maxLength: number;
  vocabSize: number;
  padTokenId: number;
  /** For the registry's summary, as a decoder's ArtifactInfo has them. */
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  parameterCount: number;
  opset: number | null;
  modelType: string | null;
}

export interface LoadedEncoder {
  info: EncoderInfo;
  session: InferenceSession;
  device: Device;
  tokenizer: Tokenizer;
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const file = path.join(/* turbopackIgnore: true */ dir, name);
  if (!(await exists(file))) return null;
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw unprocessable(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * sentence-transformers' pipeline: `modules.json` lists a `Pooling` module (its folder holds `config.json` with the
 * `pooling_mode_*` flags) and maybe `Normalize`. Without modules.json: mean pooling, normalised.
 */
async function readPooling(dir: string): Promise<EncoderInfo["pooling"]> {
  const modules = await readJson(dir, "modules.json");
  if (modules === null) return { modes: ["mean"], normalize: true, source: "default" };
  if (!Array.isArray(modules)) throw unprocessable("modules.json must be a list of modules");
  const typed = modules.map(objectOf);
  const normalize = typed.some((m) => m.type === "sentence_transformers.models.Normalize");
  const pooling = typed.find((m) => m.type === "sentence_transformers.models.Pooling");
  if (!pooling) return { modes: ["mean"], normalize, source: "modules.json" };
  const folder = typeof pooling.path === "string" ? pooling.path : "1_Pooling";
  if (folder.includes("..") || path.isAbsolute(folder))
    throw unprocessable(`modules.json: pooling path '${folder}' is not inside the model folder`);
  const config = objectOf(await readJson(dir, path.join(folder, "config.json")));
  if (config.pooling_mode_weightedmean_tokens === true)
    throw unprocessable(`${folder}/config.json: pooling_mode_weightedmean_tokens is not supported`);
  const modes = POOLING_ORDER.filter((mode) => config[POOLING_FLAGS[mode]] === true);
  return { modes: modes.length ? modes : ["mean"], normalize, source: "modules.json" };
}

/** Which output gives the vectors: a sentence-transformers `sentence_embedding`, else per-token states, else `pooler_output`. */
function pickOutput(outputs: TensorSpec[]): EncoderInfo["output"] {
  const byName = (name: string) => outputs.find((o) => o.name === name);
  if (byName("sentence_embedding")) return { name: "sentence_embedding", perToken: false };
  const tokens = TOKEN_OUTPUTS.find((name) => byName(name));
  if (tokens) return { name: tokens, perToken: true };
  if (byName("pooler_output")) return { name: "pooler_output", perToken: false };
  return null;
}

/** The graph's I/O checked as an encoder's: the kind, the ids type and the output, or UNPROCESSABLE naming the tensor. */
function encoderIo(inputs: TensorSpec[], outputs: TensorSpec[]) {
  const logits = outputs.find((o) => o.name === "logits");
  if (logits && logits.dims.length === 3)
    throw unprocessable("this is a causal LM (logits [batch, seq, vocab]): it generates text and cannot embed");
  for (const input of inputs)
    if (!ENCODER_INPUTS.includes(input.name))
      throw unprocessable(`input '${input.name}' (${input.type} [${input.dims.join(", ")}]) is not an encoder input`);
  const ids = inputs.find((i) => i.name === "input_ids");
  if (!ids) throw unprocessable("the graph has no input_ids input");
  if (ids.type !== "int64" && ids.type !== "int32")
    throw unprocessable(`input_ids is ${ids.type}; int64 or int32 expected`);
  for (const input of inputs)
    if (input.type !== ids.type)
      throw unprocessable(`input '${input.name}' is ${input.type}, unlike input_ids (${ids.type})`);
  const tokenTypeIds = inputs.some((i) => i.name === "token_type_ids");
  if (logits) {
    const labels = logits.dims[1];
    if (logits.dims.length !== 2 || (typeof labels === "number" && labels !== 1))
      throw unprocessable(`logits [${logits.dims.join(", ")}]: a reranker has one logit per pair ([batch, 1])`);
    if (logits.type !== "float32") throw unprocessable(`logits is ${logits.type}; float32 expected`);
    return { kind: "rerank" as const, idsType: ids.type as IdsType, tokenTypeIds, output: null };
  }
  const output = pickOutput(outputs);
  if (!output)
    throw unprocessable(
      "no embedding output: expected last_hidden_state, token_embeddings, sentence_embedding or pooler_output",
    );
  const type = outputs.find((o) => o.name === output.name)!.type;
  if (type !== "float32") throw unprocessable(`output '${output.name}' is ${type}; float32 expected`);
  return { kind: "embedding" as const, idsType: ids.type as IdsType, tokenTypeIds, output };
}

/** The encoder graph: `model.onnx` (top level, then onnx/), else the first graph with hidden-state outputs. */
async function findEncoderFile(dir: string): Promise<string | null> {
  const graphs = await readFolderGraphs(dir);
  if (graphs.errors.length > 0) throw graphs.errors[0];
  const files = [...graphs.facts.keys()];
  return (
    ["model.onnx", "onnx/model.onnx"].find((f) => graphs.facts.has(f)) ??
    graphs.others.find((o) => o.role === "encoder")?.file ??
    files[0] ??
    null
  );
}

/**
 * Opens an encoder folder (BERT/MiniLM/BGE/E5/GTE exports, or a cross-encoder reranker): the ONNX file, tokenizer.json
 * and the optional configs; creates the session on the selector's device. UNPROCESSABLE, naming what is wrong, for
 * anything else (a causal LM included).
 */
export async function openEncoder(dir: string, selector: DeviceSelector): Promise<LoadedEncoder> {
  if (!(await stat(dir).catch(() => null))?.isDirectory()) throw unprocessable(`model folder '${dir}' does not exist`);
  const modelFile = await findEncoderFile(dir);
  if (!modelFile) throw unprocessable("model.onnx is missing: no .onnx file at the top level or under onnx/");
  const tokenizerJson = await readJson(dir, "tokenizer.json");
  if (tokenizerJson === null) throw unprocessable("tokenizer.json is missing");
  const tokenizerConfig = objectOf(await readJson(dir, "tokenizer_config.json"));
  const config = objectOf(await readJson(dir, "config.json"));
  const sentenceBert = objectOf(await readJson(dir, "sentence_bert_config.json"));
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(objectOf(tokenizerJson), tokenizerConfig);
  } catch (error) {
    throw unprocessable(`tokenizer.json could not be loaded: ${(error as Error).message}`);
  }
  const modelPath = path.join(/* turbopackIgnore: true */ dir, modelFile);
  const facts = await readOnnxFacts(modelPath);
  const pooling = await readPooling(dir);
  const opened = await openModelSession(selector, modelPath);
  try {
    const inputs = specsOf(opened.session.inputMetadata);
    const outputs = specsOf(opened.session.outputMetadata);
    const io = encoderIo(inputs, outputs);
    const tokenizerMax = positiveInt(tokenizerConfig.model_max_length);
    const limits = [
      positiveInt(config.max_position_embeddings),
      // Tokenizers without a limit say 1e30.
      tokenizerMax && tokenizerMax < 10_000_000 ? tokenizerMax : undefined,
      positiveInt(sentenceBert.max_seq_length),
    ].filter((n): n is number => n !== undefined);
    const vocab = tokenizer.get_vocab(true);
    const pad = [config.pad_token_id, vocab.get("[PAD]"), vocab.get("<pad>")].find((v) => Number.isInteger(v));
    const info: EncoderInfo = {
      ...io,
      modelFile,
      sizeBytes: facts.sizeBytes,
      pooling,
      maxLength: limits.length ? Math.min(...limits) : 512,
      vocabSize: positiveInt(config.vocab_size) ?? vocab.size,
      padTokenId: (pad as number | undefined) ?? 0,
      inputs,
      outputs,
      parameterCount: facts.parameterCount,
      opset: facts.opset,
      modelType: typeof config.model_type === "string" ? config.model_type : null,
    };
    return { info, session: opened.session, device: opened.device, tokenizer };
  } catch (error) {
    await opened.session.release();
    throw error;
  }
}

/**
 * What an encoder folder is (kind, ids type, output, pooling, max length), for the registry to store beside a
 * decoder's ArtifactInfo: opens a CPU session to read the graph and releases it.
 */
export async function inspectEncoder(dir: string): Promise<EncoderInfo> {
  const opened = await openEncoder(dir, new DeviceSelector("cpu"));
  await opened.session.release();
  return opened.info;
}
