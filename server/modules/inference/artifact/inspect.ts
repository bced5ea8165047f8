import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { InferenceSession } from "onnxruntime-node";
import { DomainError } from "@/server/errors";
import { DeviceSelector } from "../devices";
import { ModelTokenizer, pickChatTemplate } from "../tokenizer";
import type { ArtifactInfo, Device, TensorSpec } from "../types";
import { exists, findModelFile } from "./files";
import { readOnnxFacts } from "./onnx-file";
import { discoverVariant, type ModelConfigHints } from "./variant";

const unprocessable = (message: string) => new DomainError("UNPROCESSABLE", message);

async function readJson(dir: string, name: string, required: boolean): Promise<Record<string, unknown> | null> {
  const file = path.join(dir, name);
  if (!(await exists(file))) {
    if (required) throw unprocessable(`${name} is missing`);
    return null;
  }
  try {
    const value = JSON.parse(await readFile(file, "utf8"));
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("expected an object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw unprocessable(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

const positiveInt = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
const ids = (value: unknown): number[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is number => typeof v === "number" && Number.isInteger(v));

function specsOf(metadata: readonly InferenceSession.ValueMetadata[]): TensorSpec[] {
  return metadata.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, dims: [...m.shape] } : { name: m.name, type: "non-tensor", dims: [] },
  );
}

export interface OpenedArtifact {
  info: ArtifactInfo;
  session: InferenceSession;
  device: Device;
  tokenizer: ModelTokenizer;
}

/**
 * Opens a model folder: finds the ONNX file and the tokenizer, creates a
 * session on the device the selector picks, and works out the variant.
 * Throws UNPROCESSABLE, naming what is wrong, for anything that is not a
 * loadable ONNX causal LM with a tokenizer.
 */
export async function openArtifact(dir: string, selector: DeviceSelector): Promise<OpenedArtifact> {
  const folder = await stat(dir).catch(() => null);
  if (!folder?.isDirectory()) throw unprocessable(`model folder '${dir}' does not exist`);
  const modelFile = await findModelFile(dir);
  if (!modelFile) throw unprocessable("model.onnx is missing (nor is there a decoder_model_merged.onnx)");
  const tokenizerJson = await readJson(dir, "tokenizer.json", true);
  const tokenizerConfig = (await readJson(dir, "tokenizer_config.json", false)) ?? {};
  const config = (await readJson(dir, "config.json", false)) ?? {};
  const generationConfig = (await readJson(dir, "generation_config.json", false)) ?? {};
  let chatTemplate = pickChatTemplate(tokenizerConfig);
  if (!chatTemplate && (await exists(path.join(dir, "chat_template.jinja")))) {
    chatTemplate = await readFile(path.join(dir, "chat_template.jinja"), "utf8");
  }

  const modelPath = path.join(dir, modelFile);
  const facts = await readOnnxFacts(modelPath);
  const tokenizer = new ModelTokenizer(tokenizerJson!, tokenizerConfig, chatTemplate);

  let opened: { session: InferenceSession; device: Device };
  try {
    opened = await selector.createSession(modelPath);
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split("\n")[0];
    throw unprocessable(`${path.basename(modelFile)} could not be loaded by onnxruntime: ${message}`);
  }
  try {
    const inputs = specsOf(opened.session.inputMetadata);
    const outputs = specsOf(opened.session.outputMetadata);
    const heads = positiveInt(config.n_head) ?? positiveInt(config.num_attention_heads);
    const hidden = positiveInt(config.n_embd) ?? positiveInt(config.hidden_size);
    const hints: ModelConfigHints = {
      vocabSize: positiveInt(config.vocab_size),
      heads,
      kvHeads: positiveInt(config.num_key_value_heads),
      headSize: positiveInt(config.head_dim) ?? (hidden && heads ? hidden / heads : undefined),
    };
    const variant = discoverVariant(inputs, outputs, hints);

    let eosTokenIds = ids(generationConfig.eos_token_id);
    if (eosTokenIds.length === 0) eosTokenIds = ids(config.eos_token_id);
    const eosText = tokenizer.specialToken("eos_token");
    if (eosTokenIds.length === 0 && eosText) eosTokenIds = ids(tokenizer.tokenId(eosText));
    const bos = ids(generationConfig.bos_token_id ?? config.bos_token_id)[0] ?? null;
    const maxLength = positiveInt(tokenizerConfig.model_max_length);
    const info: ArtifactInfo = {
      files: {
        model: modelFile,
        tokenizer: "tokenizer.json",
        tokenizerConfig: Object.keys(tokenizerConfig).length ? "tokenizer_config.json" : null,
        config: Object.keys(config).length ? "config.json" : null,
        generationConfig: Object.keys(generationConfig).length ? "generation_config.json" : null,
      },
      sizeBytes: facts.sizeBytes,
      parameterCount: facts.parameterCount,
      opset: facts.opset,
      producer: facts.producer,
      modelType: typeof config.model_type === "string" ? config.model_type : null,
      inputs,
      outputs,
      variant,
      hasKvCache: variant.cacheLayout !== null,
      contextLength:
        positiveInt(config.n_positions) ??
        positiveInt(config.max_position_embeddings) ??
        positiveInt(config.n_ctx) ??
        // Tokenizers without a limit say 1e30.
        (maxLength && maxLength < 10_000_000 ? maxLength : null),
      chatTemplate,
      eosTokenIds: [...new Set(eosTokenIds)],
      bosTokenId: bos,
    };
    return { info, session: opened.session, device: opened.device, tokenizer };
  } catch (error) {
    await opened.session.release();
    throw error;
  }
}

/**
 * What a model folder holds and how to drive it (see ArtifactInfo). Loads a
 * CPU session to read the graph's metadata and releases it before returning.
 */
export async function inspectArtifact(dir: string): Promise<ArtifactInfo> {
  const opened = await openArtifact(dir, new DeviceSelector("cpu"));
  await opened.session.release();
  return opened.info;
}
