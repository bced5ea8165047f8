import path from "node:path";
import type { AbortLike } from "@/server/abort";
import { DomainError } from "@/server/errors";
import { withContextOverride } from "./artifact/configs";
import { estimateModelSize } from "./artifact/files";
import { openArtifact } from "./artifact/inspect";
import { BatchScheduler } from "./batch/scheduler";
import { DeviceSelector, type DeviceStatus, devicePreferenceFromEnv } from "./devices";
import { Embedder, type EmbedInput } from "./embeddings/embedder";
import { openEncoder } from "./embeddings/encoder-folder";
import { type GenerateRequest, type LoadedModel, Sequence } from "./generate";
import { ModelQueue } from "./model-queue";
import type { ArtifactInfo, Device, DevicePreference, GenerationEvent, GenerationStats } from "./types";

export interface ModelRef {
  /** Folder with model.onnx (or decoder_model_merged.onnx), tokenizer.json and the configs. */
  dir: string;
  /** Cache key, e.g. the artifact's sha256; defaults to the resolved folder path. */
  key?: string;
  /** For messages ("model X is busy"); defaults to the key. */
  name?: string;
  /** Which of the folder's decoders (a variant name such as `q4`, or a file); default: by device. */
  variant?: string | null;
  /** The registry's context length: replaces the folder's (the position table still caps it). */
  contextLength?: number | null;
}

export interface InferenceEngineOptions {
  /** Loaded models' total file size may not exceed this; least recently used idle models are unloaded. Default 2 GiB. */
  memoryBudgetBytes?: number;
  /**
   * Requests running at once per model: they decode together, one batched forward per step (the batch size;
   * 1 = one at a time). Default: SWITCHYARD_INFERENCE_MAX_BATCH, else 8. Models that cannot batch run 1.
   */
  maxRunningPerModel?: number;
  /** Requests waiting per model before BUSY. Default 8. */
  maxWaitingPerModel?: number;
  /** Default: SWITCHYARD_INFERENCE_DEVICE, else auto. */
  device?: DevicePreference;
  /** Embedding/rerank requests admitted at once per encoder (their sub-batches take turns). Default 4. */
  maxRunningEmbedPerModel?: number;
}

interface LoadedModelReport {
  key: string;
  name: string;
  device: Device;
  sizeBytes: number;
  loadedAt: string;
  lastUsedAt: string;
  running: number;
  waiting: number;
  /** Sequences that may decode together: the configured batch size, or 1 (see `notBatched`). */
  maxBatch: number;
  /** Why this model decodes one sequence at a time; null when it batches. */
  notBatched: string | null;
  /** Decode steps run since the model loaded, and the sequence-steps they did: their ratio is the mean batch. */
  steps: number;
  stepRows: number;
}

export interface InferenceDevicesReport {
  preference: DevicePreference;
  devices: Record<Device, DeviceStatus>;
  memory: { budgetBytes: number; usedBytes: number };
  models: LoadedModelReport[];
}

interface Entry {
  key: string;
  name: string;
  dir: string;
  variant: string | null;
  queue: ModelQueue;
  model: LoadedModel | null;
  /** Created with the loaded model, dropped with it. */
  scheduler: BatchScheduler | null;
  loading: Promise<LoadedModel> | null;
  /** Encoder entries (embeddings/) hold this instead of `model`. */
  encoder?: Embedder | null;
  encoderLoading?: Promise<Embedder> | null;
  /** Reserved from the budget while loading or loaded. */
  sizeBytes: number;
  loadedAt: number;
  lastUsedAt: number;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`);

/**
 * Loaded ONNX sessions, shared by every request in the process: one per
 * model key, within a memory budget (LRU unload of idle models), each with
 * a bounded queue (BUSY past it). Use `getInferenceEngine()` in the server;
 * construct one directly in tests and benchmarks.
 */
export class InferenceEngine {
  private readonly entries = new Map<string, Entry>();
  private readonly selector: DeviceSelector;
  readonly memoryBudgetBytes: number;
  private readonly maxRunning: number;
  private readonly maxWaiting: number;
  private readonly maxRunningEmbed: number;

  constructor(options: InferenceEngineOptions = {}) {
    this.memoryBudgetBytes = options.memoryBudgetBytes ?? 2 * 1024 * MiB;
    this.maxRunning = options.maxRunningPerModel ?? maxBatchFromEnv(process.env.SWITCHYARD_INFERENCE_MAX_BATCH);
    this.maxWaiting = options.maxWaitingPerModel ?? 8;
    this.maxRunningEmbed = options.maxRunningEmbedPerModel ?? 4;
    this.selector = new DeviceSelector(options.device ?? devicePreferenceFromEnv());
  }

  private entryFor(ref: ModelRef, maxRunning = this.maxRunning): Entry {
    const dir = path.resolve(ref.dir);
    const key = `${ref.key ?? dir}${ref.variant ? `#${ref.variant}` : ""}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const name = ref.name ?? key;
      entry = {
        key,
        name,
        dir,
        variant: ref.variant ?? null,
        queue: new ModelQueue(name, maxRunning, this.maxWaiting),
        model: null,
        scheduler: null,
        loading: null,
        sizeBytes: 0,
        loadedAt: 0,
        lastUsedAt: 0,
      };
      this.entries.set(key, entry);
    } else if (ref.name && !entry.name.split(", ").includes(ref.name)) {
      // One artifact (one session) can back several registry versions: the report names them all.
      entry.name = `${entry.name}, ${ref.name}`;
    }
    return entry;
  }

  /** Loads the model if it is not loaded (e.g. to warm it up); returns what inspection found and the device. */
  async load(ref: ModelRef): Promise<{ info: ArtifactInfo; device: Device }> {
    const model = await this.ensureLoaded(this.entryFor(ref));
    return { info: model.info, device: model.device };
  }

  private ensureLoaded(entry: Entry): Promise<LoadedModel> {
    entry.lastUsedAt = Date.now();
    if (entry.model) return Promise.resolve(entry.model);
    entry.loading ??= this.loadEntry(entry).finally(() => {
      entry.loading = null;
    });
    return entry.loading;
  }

  private async loadEntry(entry: Entry): Promise<LoadedModel> {
    await this.makeRoom(entry, await estimateModelSize(entry.dir, entry.variant));
    try {
      const opened = await openArtifact(entry.dir, this.selector, { variant: entry.variant });
      entry.model = { info: opened.info, session: opened.session, tokenizer: opened.tokenizer, device: opened.device };
      entry.scheduler = new BatchScheduler(entry.model, this.maxRunning);
      entry.queue.resize(entry.scheduler.maxBatch);
      entry.sizeBytes = opened.info.sizeBytes;
      entry.loadedAt = Date.now();
      return entry.model;
    } catch (error) {
      entry.sizeBytes = 0;
      throw error;
    }
  }

  /** Unloads idle models, least recently used first, until `size` fits; then reserves it for `entry`. */
  private async makeRoom(entry: Entry, size: number): Promise<void> {
    if (size > this.memoryBudgetBytes) {
      throw new DomainError(
        "UNPROCESSABLE",
        `model ${entry.name} needs ${mib(size)}; the inference memory budget is ${mib(this.memoryBudgetBytes)}`,
      );
    }
    const used = () => [...this.entries.values()].reduce((sum, e) => sum + e.sizeBytes, 0);
    const idle = [...this.entries.values()]
      .filter((e) => e !== entry && (e.model || e.encoder) && e.queue.idle)
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    while (used() + size > this.memoryBudgetBytes && idle.length > 0) await this.release(idle.shift()!);
    if (used() + size > this.memoryBudgetBytes) {
      throw new DomainError(
        "BUSY",
        `not enough inference memory for model ${entry.name} (${mib(size)}): ${mib(used())} of ${mib(this.memoryBudgetBytes)} is held by busy models`,
      );
    }
    entry.sizeBytes = size;
  }

  private async release(entry: Entry): Promise<void> {
    const model = entry.model;
    const encoder = entry.encoder;
    entry.model = null;
    entry.scheduler = null;
    entry.encoder = null;
    entry.sizeBytes = 0;
    if (model) await model.session.release();
    if (encoder) await encoder.release();
  }

  /**
   * Streams a completion (see `Sequence` in generate.ts). Waits in the model's queue first; BUSY (queue
   * full), UNPROCESSABLE (bad artifact) and VALIDATION errors reject the first `next()`, so await the first
   * event before sending response headers. The sequence then decodes in its model's batch; its slot is
   * freed when it finishes or when the caller calls `return()` (it leaves the batch at the next step).
   */
  async *generate(ref: ModelRef, request: GenerateRequest): AsyncGenerator<GenerationEvent> {
    const startedAt = performance.now();
    const entry = this.entryFor(ref);
    let release: () => void;
    try {
      release = await entry.queue.acquire(request.signal);
    } catch (error) {
      if (error instanceof DomainError || !request.signal?.aborted) throw error;
      yield { type: "done", text: "", stats: abortedStats(startedAt, entry.model?.device ?? "cpu") };
      return;
    }
    let running: { scheduler: BatchScheduler; sequence: Sequence; left: Promise<void> } | null = null;
    try {
      const loaded = await this.ensureLoaded(entry);
      const scheduler = entry.scheduler!;
      // The registry's context length bounds this request's sequence; the batch only runs the session.
      const sequence = new Sequence(withContextOverride(loaded, ref.contextLength), request, startedAt);
      running = { scheduler, sequence, left: scheduler.submit(sequence) };
      // The slot is the batch row: it frees when the sequence leaves, even before the caller reads the end.
      void running.left.then(release);
      yield* sequence.events.drain();
    } finally {
      if (running) {
        running.scheduler.withdraw(running.sequence);
        await running.left;
      }
      entry.lastUsedAt = Date.now();
      release();
    }
  }

  /** The whole completion at once. */
  async complete(ref: ModelRef, request: GenerateRequest): Promise<{ text: string; stats: GenerationStats }> {
    for await (const event of this.generate(ref, request)) {
      if (event.type === "done") return { text: event.text, stats: event.stats };
    }
    throw new DomainError("INTERNAL", "generation ended without a result");
  }

  /** One vector per input from an encoder folder (embeddings/embedder.ts); see `withEncoder`. */
  embed(ref: ModelRef, inputs: EmbedInput[], signal?: AbortLike) {
    return this.withEncoder(ref, signal, (embedder) => embedder.embed(inputs, signal));
  }

  /** A cross-encoder's relevance score of each document for the query (sigmoid of its logit). */
  rerank(ref: ModelRef, query: string, documents: string[], signal?: AbortLike) {
    return this.withEncoder(ref, signal, (embedder) => embedder.rerank(query, documents, signal));
  }

  /**
   * Runs `work` on the encoder loaded from `ref` (entry key `encoder:<key>`, so it never shares a session with a
   * decoder entry): same memory budget and devices as generation; `maxRunningEmbedPerModel` requests admitted at
   * once, `maxWaitingPerModel` waiting, BUSY past that.
   */
  private async withEncoder<T>(
    ref: ModelRef,
    signal: AbortLike | undefined,
    work: (embedder: Embedder) => Promise<T>,
  ): Promise<T & { device: Device; queueMs: number; durationMs: number }> {
    const startedAt = performance.now();
    const key = `encoder:${ref.key ?? path.resolve(ref.dir)}`;
    const entry = this.entryFor({ ...ref, key, name: ref.name ?? key }, this.maxRunningEmbed);
    const release = await entry.queue.acquire(signal);
    const queueMs = performance.now() - startedAt;
    try {
      const embedder = await this.ensureEncoder(entry);
      const result = await work(embedder);
      return { ...result, device: embedder.device, queueMs, durationMs: performance.now() - startedAt };
    } finally {
      entry.lastUsedAt = Date.now();
      release();
    }
  }

  private ensureEncoder(entry: Entry): Promise<Embedder> {
    entry.lastUsedAt = Date.now();
    if (entry.encoder) return Promise.resolve(entry.encoder);
    entry.encoderLoading ??= (async () => {
      await this.makeRoom(entry, await estimateModelSize(entry.dir));
      try {
        const embedder = new Embedder(await openEncoder(entry.dir, this.selector), entry.name);
        entry.encoder = embedder;
        entry.sizeBytes = embedder.info.sizeBytes;
        entry.loadedAt = Date.now();
        return embedder;
      } catch (error) {
        entry.sizeBytes = 0;
        throw error;
      }
    })().finally(() => {
      entry.encoderLoading = null;
    });
    return entry.encoderLoading;
  }

  /** Device availability, memory use and the loaded models with their device (for the health endpoint). */
  devices(): InferenceDevicesReport {
    const loaded = [...this.entries.values()].filter((e) => e.model || e.encoder);
    return {
      preference: this.selector.preference,
      devices: this.selector.status(),
      memory: { budgetBytes: this.memoryBudgetBytes, usedBytes: loaded.reduce((sum, e) => sum + e.sizeBytes, 0) },
      models: loaded.map((e) => ({
        key: e.key,
        name: e.name,
        device: (e.model ?? e.encoder)!.device,
        sizeBytes: e.sizeBytes,
        loadedAt: new Date(e.loadedAt).toISOString(),
        lastUsedAt: new Date(e.lastUsedAt).toISOString(),
        ...e.queue.stats,
        // Encoders have no decode batch: their requests run side by side (`maxRunningEmbedPerModel`).
        maxBatch: e.scheduler?.maxBatch ?? 1,
        notBatched: e.scheduler ? e.scheduler.notBatched : "an encoder: no decode steps",
        ...(e.scheduler?.stats ?? { steps: 0, stepRows: 0 }),
      })),
    };
  }

  /** Like devices(), after trying each provider the preference allows on a one-node graph. */
  async probeDevices(): Promise<InferenceDevicesReport> {
    await this.selector.probe();
    return this.devices();
  }

  /** Unloads an idle model; false when it is not loaded or still has requests. */
  async unload(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!(entry?.model || entry?.encoder) || !entry.queue.idle) return false;
    await this.release(entry);
    return true;
  }

  /** Unloads everything (tests, shutdown). */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.loading) await entry.loading.catch(() => undefined);
      if (entry.encoderLoading) await entry.encoderLoading.catch(() => undefined);
      await this.release(entry);
    }
    this.entries.clear();
  }
}

function abortedStats(startedAt: number, device: Device): GenerationStats {
  const waited = Math.round((performance.now() - startedAt) * 100) / 100;
  return {
    ttftMs: 0,
    tpotMs: 0,
    queueMs: waited,
    totalMs: waited,
    tokensIn: 0,
    tokensOut: 0,
    tokensPerSecond: 0,
    device,
    finishReason: "abort",
    seed: 0,
  };
}

/** SWITCHYARD_INFERENCE_MAX_BATCH: sequences per model that decode together (1 = one at a time). */
export function maxBatchFromEnv(value: string | undefined): number {
  if (value === undefined || value === "") return 8;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new Error(`SWITCHYARD_INFERENCE_MAX_BATCH must be an integer from 1 to 256, not '${value}'`);
  }
  return n;
}

const SINGLETON = Symbol.for("switchyard.inference.engine");

/** The process-wide engine (survives Next's dev reloads), configured from the environment. */
export function getInferenceEngine(): InferenceEngine {
  const holder = globalThis as unknown as Record<symbol, InferenceEngine | undefined>;
  holder[SINGLETON] ??= new InferenceEngine();
  return holder[SINGLETON];
}
