import { randomInt } from "node:crypto";
import type { InferenceSession } from "onnxruntime-node";
import type { AbortLike } from "@/server/abort";
import { DomainError, toDomainError } from "@/server/errors";
import type { StructuredOutputSpec } from "./constraint";
import { DecoderState } from "./decoder";
import { Sampler } from "./sampling";
import {
  GENERATION_DEFAULTS,
  type GenerationInput,
  type GenerationParams,
  generationInputSchema,
  generationParamsSchema,
} from "./schemas";
import { createConstraint } from "./structured";
import { IncrementalDetokenizer, StopMatcher } from "./text-stream";
import type { ModelTokenizer } from "./tokenizer";
import type { ArtifactInfo, Device, FinishReason, GenerationEvent, GenerationStats } from "./types";

/** A session ready to generate: what the engine keeps per loaded model. */
export interface LoadedModel {
  info: ArtifactInfo;
  session: InferenceSession;
  tokenizer: ModelTokenizer;
  device: Device;
}

/** `{ prompt }` (raw text) or `{ messages }` (through the chat template), plus sampling params and an abort signal. */
export type GenerateRequest = GenerationInput &
  GenerationParams & {
    signal?: AbortLike;
    /** Constrained decoding (response_format, tool calls): every sequence is masked by its own constraint. */
    structured?: StructuredOutputSpec;
  };

function parse<T>(schema: { parse: (value: unknown) => T }, value: unknown): T {
  try {
    return schema.parse(value);
  } catch (error) {
    throw toDomainError(error) ?? error;
  }
}

/**
 * Streams one completion: `delta` events as text becomes final (never half a
 * character, never any part of a stop sequence), then one `done` event with
 * the whole text and the stats. Aborting the signal ends it at the next step
 * with finishReason 'abort' (no throw). Tokenization and validation errors
 * are thrown as DomainError before the first event.
 */
export async function* generateTokens(
  model: LoadedModel,
  request: GenerateRequest,
  timing: { startedAt: number; queueMs: number } = { startedAt: performance.now(), queueMs: 0 },
): AsyncGenerator<GenerationEvent> {
  const { signal, structured, ...rest } = request;
  const input = parse(
    generationInputSchema,
    "messages" in rest && rest.messages ? { messages: rest.messages, tools: rest.tools } : { prompt: rest.prompt },
  );
  const params = { ...GENERATION_DEFAULTS, ...stripUndefined(parse(generationParamsSchema, rest)) };
  const seed = params.seed ?? randomInt(0, 0x7fffffff);
  const { info, tokenizer } = model;

  const promptIds = tokenizer.encodePrompt(input);
  if (promptIds.length === 0) {
    if (info.bosTokenId === null) throw new DomainError("VALIDATION", "the prompt is empty");
    promptIds.push(info.bosTokenId);
  }
  const contextLength = info.contextLength ?? Number.POSITIVE_INFINITY;
  if (promptIds.length >= contextLength) {
    throw new DomainError(
      "VALIDATION",
      `the prompt is ${promptIds.length} tokens; this model's context is ${contextLength} tokens`,
    );
  }
  const maxTokens = Math.min(params.maxTokens, contextLength - promptIds.length);
  const eos = new Set(params.ignoreEos ? [] : info.eosTokenIds);

  const decoder = new DecoderState(model.session, info.variant, params.useCache);
  const constraint = structured ? createConstraint(structured, tokenizer, info.eosTokenIds) : null;
  const sampler = new Sampler(params, seed, promptIds, constraint);
  const detokenizer = new IncrementalDetokenizer((ids) => tokenizer.decode(ids), promptIds);
  const stops = new StopMatcher(params.stop);

  let text = "";
  let tokensOut = 0;
  let firstTokenAt: number | null = null;
  let lastTokenAt = performance.now();
  const runStartedAt = performance.now();
  let finishReason: FinishReason = "length";
  const stats = (): GenerationStats => {
    const end = performance.now();
    const first = firstTokenAt ?? end;
    const tpotMs = tokensOut > 1 ? (lastTokenAt - first) / (tokensOut - 1) : 0;
    return {
      ttftMs: round(first - timing.startedAt),
      tpotMs: round(tpotMs),
      queueMs: round(timing.queueMs),
      totalMs: round(end - timing.startedAt),
      tokensIn: promptIds.length,
      tokensOut,
      tokensPerSecond: round(tpotMs > 0 ? 1000 / tpotMs : tokensOut / Math.max((end - runStartedAt) / 1000, 1e-9)),
      device: model.device,
      finishReason,
      seed,
    };
  };

  if (signal?.aborted) {
    yield { type: "done", text, stats: { ...stats(), finishReason: "abort" } };
    return;
  }
  let logits = await decoder.forward(promptIds);
  let stopped = false;
  while (!stopped) {
    if (signal?.aborted) {
      finishReason = "abort";
      break;
    }
    const token = sampler.next(logits);
    lastTokenAt = performance.now();
    firstTokenAt ??= lastTokenAt;
    if (eos.has(token)) {
      finishReason = "eos";
      break;
    }
    tokensOut++;
    const emitted = stops.push(detokenizer.push(token));
    if (emitted.text) {
      text += emitted.text;
      yield { type: "delta", text: emitted.text };
    }
    if (emitted.stopped) {
      finishReason = "stop";
      stopped = true;
    } else if (sampler.complete) {
      finishReason = "stop";
      break;
    } else if (tokensOut >= maxTokens) {
      finishReason = "length";
      break;
    } else {
      logits = await decoder.forward([token]);
    }
  }
  if (!stopped) {
    const tail = stops.push(detokenizer.flush());
    const rest = tail.stopped ? tail.text : tail.text + stops.flush();
    if (tail.stopped) finishReason = "stop";
    if (rest) {
      text += rest;
      yield { type: "delta", text: rest };
    }
  }
  yield { type: "done", text, stats: stats() };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
