import { randomInt } from "node:crypto";
import type { InferenceSession } from "onnxruntime-node";
import type { AbortLike } from "@/server/abort";
import { DomainError, toDomainError } from "@/server/errors";
import { EventChannel } from "./batch/channel";
import type { StructuredOutputSpec } from "./constraint";
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
 * One completion's per-sequence logic, stepped by the model's scheduler (batch/scheduler.ts): its own
 * sampler (seed, constraint), stop sequences, incremental detokenizer, limits and stats. It never runs the
 * model: the scheduler hands it the logits of its last position and feeds the token it returns. Events go
 * to `events`: `delta`s as text becomes final (never half a character, never any part of a stop sequence),
 * then one `done`. The constructor validates and tokenizes (DomainError before any event).
 */
export class Sequence {
  readonly events = new EventChannel<GenerationEvent>();
  readonly promptIds: number[];
  readonly useCache: boolean;
  /** The token to feed next (the last one sampled). */
  lastToken = -1;
  /** Set when the caller stops reading (generator `return()`): leave at the next step, no more events. */
  cancelled = false;
  finished = false;

  private readonly signal: AbortLike | undefined;
  private readonly sampler: Sampler;
  private readonly detokenizer: IncrementalDetokenizer;
  private readonly stops: StopMatcher;
  private readonly eos: Set<number>;
  private readonly maxTokens: number;
  private readonly seed: number;
  private text = "";
  private tokensOut = 0;
  private startedAt: number;
  private runStartedAt: number | null = null;
  private firstTokenAt: number | null = null;
  private lastTokenAt = 0;

  constructor(
    private readonly model: LoadedModel,
    request: GenerateRequest,
    startedAt = performance.now(),
  ) {
    this.startedAt = startedAt;
    const { signal, structured, ...rest } = request;
    this.signal = signal;
    const input = parse(
      generationInputSchema,
      "messages" in rest && rest.messages ? { messages: rest.messages, tools: rest.tools } : { prompt: rest.prompt },
    );
    const params = { ...GENERATION_DEFAULTS, ...stripUndefined(parse(generationParamsSchema, rest)) };
    this.seed = params.seed ?? randomInt(0, 0x7fffffff);
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
    this.promptIds = promptIds;
    this.useCache = params.useCache;
    this.maxTokens = Math.min(params.maxTokens, contextLength - promptIds.length);
    this.eos = new Set(params.ignoreEos ? [] : info.eosTokenIds);
    // The contract: exactly one Sampler per sequence, with this sequence's own constraint.
    const constraint = structured ? createConstraint(structured, tokenizer, info.eosTokenIds) : null;
    this.sampler = new Sampler(params, this.seed, promptIds, constraint);
    this.detokenizer = new IncrementalDetokenizer((ids) => tokenizer.decode(ids), promptIds);
    this.stops = new StopMatcher(params.stop);
  }

  get aborted(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Called when its prefill starts: the time before it is queueing. */
  begin(): void {
    this.runStartedAt = performance.now();
  }

  /**
   * The logits of its last position: samples, emits, and returns true when it goes on (feed `lastToken`),
   * false when it has finished (its `done` event is sent).
   */
  accept(logits: Float32Array): boolean {
    if (this.cancelled) return this.end(null);
    if (this.aborted) return this.end("abort");
    const token = this.sampler.next(logits);
    this.lastTokenAt = performance.now();
    this.firstTokenAt ??= this.lastTokenAt;
    if (this.eos.has(token)) return this.end("eos");
    this.tokensOut++;
    const emitted = this.stops.push(this.detokenizer.push(token));
    this.emit(emitted.text);
    if (emitted.stopped) return this.end("stop", true);
    if (this.sampler.complete) return this.end("stop");
    if (this.tokensOut >= this.maxTokens) return this.end("length");
    this.lastToken = token;
    return true;
  }

  /** Ends it without running (aborted or cancelled while waiting). */
  abortNow(): void {
    this.end(this.cancelled ? null : "abort");
  }

  /** The model failed under it: the caller's generator throws this. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.events.fail(error);
  }

  private emit(text: string): void {
    if (!text) return;
    this.text += text;
    this.events.push({ type: "delta", text });
  }

  /** Flushes held-back text (unless a stop sequence ended it) and sends `done`; null: nobody is reading. */
  private end(reason: FinishReason | null, stopped = false): false {
    if (this.finished) return false;
    this.finished = true;
    if (reason === null) {
      this.events.end();
      return false;
    }
    let finishReason = reason;
    if (!stopped) {
      const tail = this.stops.push(this.detokenizer.flush());
      if (tail.stopped) finishReason = "stop";
      this.emit(tail.stopped ? tail.text : tail.text + this.stops.flush());
    }
    this.events.push({ type: "done", text: this.text, stats: this.stats(finishReason) });
    this.events.end();
    return false;
  }

  private stats(finishReason: FinishReason): GenerationStats {
    const end = performance.now();
    const first = this.firstTokenAt ?? end;
    const runStartedAt = this.runStartedAt ?? end;
    const tokensOut = this.tokensOut;
    const tpotMs = tokensOut > 1 ? (this.lastTokenAt - first) / (tokensOut - 1) : 0;
    return {
      ttftMs: round(this.firstTokenAt === null ? 0 : first - this.startedAt),
      tpotMs: round(tpotMs),
      queueMs: round(runStartedAt - this.startedAt),
      totalMs: round(end - this.startedAt),
      tokensIn: this.runStartedAt === null ? 0 : this.promptIds.length,
      tokensOut,
      tokensPerSecond: round(tpotMs > 0 ? 1000 / tpotMs : tokensOut / Math.max((end - runStartedAt) / 1000, 1e-9)),
      device: this.model.device,
      finishReason,
      seed: this.seed,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
