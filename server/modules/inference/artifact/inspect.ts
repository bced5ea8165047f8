import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { InferenceSession } from "onnxruntime-node";
import { DomainError } from "@/server/errors";
import { DeviceSelector } from "../devices";
import { ModelTokenizer, pickChatTemplate } from "../tokenizer";
import type { ArtifactInfo, Device } from "../types";
import { bosTokenIdOf, eosTokenIdsOf, positiveInt, readGenaiConfig, resolveContextLength, tokenIds } from "./configs";
import { chooseDecoder, exists, readFolderGraphs } from "./files";
import { openModelSession, specsOf } from "./session";
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

/** tokenizer_config's template, else chat_template.jinja, else chat_template.json (`{ chat_template }`). */
async function readChatTemplate(dir: string, tokenizerConfig: Record<string, unknown>): Promise<string | null> {
  const fromConfig = pickChatTemplate(tokenizerConfig);
  if (fromConfig) return fromConfig;
  if (await exists(path.join(dir, "chat_template.jinja")))
    return readFile(path.join(dir, "chat_template.jinja"), "utf8");
  const json = await readJson(dir, "chat_template.json", false);
  return json ? pickChatTemplate(json) : null;
}

/** The device a session will most likely get, so a folder's variant can be picked for it before loading. */
async function likelyDevice(selector: DeviceSelector): Promise<Device> {
  if (selector.preference === "cpu") return "cpu";
  const statuses = await selector.probe();
  const wanted: Device[] = selector.preference === "auto" ? ["cuda", "webgpu", "cpu"] : [selector.preference, "cpu"];
  return wanted.find((d) => statuses[d].status === "available") ?? "cpu";
}

export interface OpenedArtifact {
  info: ArtifactInfo;
  session: InferenceSession;
  device: Device;
  tokenizer: ModelTokenizer;
}

export interface OpenOptions {
  /** The model version's choice among the folder's decoders (a variant name such as `q4`, or a file). */
  variant?: string | null;
  /** The registry's context length (the user's word; the position table still caps it). */
  contextLength?: number | null;
}

/**
 * Opens a model folder: finds the decoder graph by its inputs and outputs, picks the variant, reads the
 * tokenizer and the configs, creates a session on the device the selector picks, and works out the I/O
 * variant. Throws UNPROCESSABLE, naming what is wrong, for anything that is not a loadable ONNX causal LM
 * with a tokenizer, and VALIDATION for a requested variant the folder lacks.
 */
export async function openArtifact(
  dir: string,
  selector: DeviceSelector,
  options: OpenOptions = {},
): Promise<OpenedArtifact> {
  const folder = await stat(dir).catch(() => null);
  if (!folder?.isDirectory()) throw unprocessable(`model folder '${dir}' does not exist`);
  const genaiRaw = await readJson(dir, "genai_config.json", false);
  const genai = readGenaiConfig(genaiRaw);
  const graphs = await readFolderGraphs(dir);
  const several = graphs.decoders.length > 1 && !options.variant && !genai?.decoderFile;
  const chosen = chooseDecoder(
    graphs,
    several ? await likelyDevice(selector) : "cpu",
    options.variant,
    genai?.decoderFile,
  );
  const modelFile = chosen.file;
  const facts = graphs.facts.get(modelFile)!;
  const tokenizerJson = await readJson(dir, "tokenizer.json", true);
  const tokenizerConfig = (await readJson(dir, "tokenizer_config.json", false)) ?? {};
  const config = (await readJson(dir, "config.json", false)) ?? {};
  const generationConfig = (await readJson(dir, "generation_config.json", false)) ?? {};
  const chatTemplate = await readChatTemplate(dir, tokenizerConfig);

  const modelPath = path.join(dir, modelFile);
  const tokenizer = new ModelTokenizer(tokenizerJson!, tokenizerConfig, chatTemplate);

  const opened = await openModelSession(selector, modelPath);
  try {
    const inputs = specsOf(opened.session.inputMetadata);
    const outputs = specsOf(opened.session.outputMetadata);
    const heads = positiveInt(config.n_head) ?? positiveInt(config.num_attention_heads) ?? genai?.heads;
    const hidden = positiveInt(config.n_embd) ?? positiveInt(config.hidden_size) ?? genai?.hiddenSize;
    const hints: ModelConfigHints = {
      vocabSize: positiveInt(config.vocab_size) ?? genai?.vocabSize,
      heads,
      kvHeads: positiveInt(config.num_key_value_heads) ?? genai?.kvHeads,
      headSize: positiveInt(config.head_dim) ?? genai?.headSize ?? (hidden && heads ? hidden / heads : undefined),
    };
    const variant = discoverVariant(inputs, outputs, hints);

    let eosTokenIds = eosTokenIdsOf(generationConfig, genai, config);
    const eosText = tokenizer.specialToken("eos_token");
    if (eosTokenIds.length === 0 && eosText) eosTokenIds = tokenIds(tokenizer.tokenId(eosText));
    const context = resolveContextLength({
      override: options.contextLength,
      positionRows: facts.positionRows,
      genai,
      config,
      tokenizerConfig,
    });
    const info: ArtifactInfo = {
      files: {
        model: modelFile,
        tokenizer: "tokenizer.json",
        tokenizerConfig: Object.keys(tokenizerConfig).length ? "tokenizer_config.json" : null,
        config: Object.keys(config).length ? "config.json" : null,
        generationConfig: Object.keys(generationConfig).length ? "generation_config.json" : null,
        genaiConfig: genaiRaw ? "genai_config.json" : null,
      },
      modelVariant: chosen.name,
      variants: graphs.decoders,
      externalData: facts.externalData,
      sizeBytes: facts.sizeBytes,
      parameterCount: facts.parameterCount,
      opset: facts.opset,
      producer: facts.producer,
      modelType: typeof config.model_type === "string" ? config.model_type : null,
      inputs,
      outputs,
      variant,
      hasKvCache: variant.cacheLayout !== null,
      positionRows: facts.positionRows,
      contextLength: context.contextLength,
      contextLengthSource: context.source,
      chatTemplate,
      eosTokenIds,
      bosTokenId: bosTokenIdOf(generationConfig, genai, config),
    };
    return { info, session: opened.session, device: opened.device, tokenizer };
  } catch (error) {
    await opened.session.release();
    throw error;
  }
}

/**
 * What a model folder holds and how to drive it (see ArtifactInfo), for the CPU (so the default variant is
 * the CPU's). Loads a CPU session to read the graph's metadata and releases it before returning.
 */
export async function inspectArtifact(dir: string, options: OpenOptions = {}): Promise<ArtifactInfo> {
  const opened = await openArtifact(dir, new DeviceSelector("cpu"), options);
  await opened.session.release();
  return opened.info;
}
