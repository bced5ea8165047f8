/**
 * What a request is expected to use, reserved against its key's limits before it is served (`key-limits.ts`):
 * the input counted with the tokenizer-free estimate the guardrails use, plus the output it may generate
 * (`max_tokens` as the version, prompt, caller or variant set it, else SWITCHYARD_KEY_LIMIT_OUTPUT_TOKENS), priced
 * at the model's input and output prices. One pass over the message text; nothing else is read.
 */
import type { UsageEstimate } from "@/server/modules/api-keys/counters";
import { roughTokenCount } from "@/server/modules/guardrails/tokens";
import type { GenerationParams } from "@/server/modules/models/schemas";
import type { GenerationInput } from "@/server/modules/runs/schemas";
import { DEFAULT_OUTPUT_TOKENS } from "./limit-settings";
import type { ServedVersion } from "./target";

/** A cached answer: counted as a request, nothing reserved (it costs 0 and no model spends tokens on it). */
export const NO_USAGE: UsageEstimate = { tokens: 0, costUsd: 0 };

/** Chat's framing per message and for the reply (OpenAI's counting guide: about 3-4 tokens each). */
const PER_MESSAGE = 4;
const PER_REPLY = 3;

interface EstimatePrices {
  input: number;
  output: number;
}
/** Per cached model row: Decimal's toNumber() is not free. */
const pricesByModel = new WeakMap<ServedVersion["model"], EstimatePrices>();

function pricesOf(model: ServedVersion["model"]): EstimatePrices {
  let prices = pricesByModel.get(model);
  if (!prices) {
    const input = model.priceInputPerMTok?.toNumber() ?? 0;
    // A cache write may cost more than plain input: reserve at the higher price.
    const write = model.priceCacheWritePerMTok?.toNumber() ?? input;
    // Models priced per compute second (local ones) reserve no cost: their duration is unknown beforehand.
    prices = { input: Math.max(input, write), output: model.priceOutputPerMTok?.toNumber() ?? 0 };
    pricesByModel.set(model, prices);
  }
  return prices;
}

/** A chat or text completion: its input text, plus its output cap. */
export function estimateCompletion(
  version: ServedVersion,
  input: GenerationInput,
  params: GenerationParams,
): UsageEstimate {
  let tokensIn: number;
  if ("messages" in input) {
    tokensIn = PER_REPLY;
    for (const message of input.messages) tokensIn += PER_MESSAGE + roughTokenCount(message.content);
  } else tokensIn = roughTokenCount(input.prompt);
  const tokensOut = params.maxTokens ?? DEFAULT_OUTPUT_TOKENS;
  const prices = pricesOf(version.model);
  return {
    tokens: tokensIn + tokensOut,
    costUsd: (prices.input * tokensIn + prices.output * tokensOut) / 1_000_000,
  };
}

/** Embeddings: input only (strings estimated, token ids counted). */
export function estimateEmbeddings(version: ServedVersion, input: unknown): UsageEstimate {
  let tokens = 0;
  const count = (item: unknown) => {
    if (typeof item === "string") tokens += roughTokenCount(item);
    else if (Array.isArray(item)) tokens += item.length;
    else tokens += 1;
  };
  if (typeof input === "string") count(input);
  else if (Array.isArray(input)) {
    if (typeof input[0] === "number") tokens = input.length;
    else for (const item of input) count(item);
  }
  return { tokens, costUsd: (pricesOf(version.model).input * tokens) / 1_000_000 };
}
