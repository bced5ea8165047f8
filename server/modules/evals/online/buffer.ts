// Between the request path and the job queue: sampled requests wait here (bounded) and leave in batches, one
// `eval.online` job per project per flush. The request never waits for it; when it is full, samples are
// dropped and counted (switchyard_online_eval_samples_dropped_total), never queued without bound.
import { Counter } from "prom-client";
import { processMetricsRegistry } from "@/server/modules/request-log/prometheus";
import { describeError, RepeatedLog } from "@/server/repeated-log";
import type { OnlineSample } from "./samples";

export interface SampleBufferOptions {
  /** Samples held at most (SWITCHYARD_ONLINE_EVAL_BUFFER, default 2,000). */
  capacity?: number;
  /** A flush starts once this many wait (default 100), else `flushMs` after the first (default 250 ms). */
  flushSize?: number;
  flushMs?: number;
  /** Largest job (samples of one project per job). */
  perJob?: number;
}

/** Hands one project's samples to the queue (enqueues an `eval.online` job). */
export type EnqueueSamples = (projectId: string, samples: OnlineSample[]) => Promise<void>;

export interface SampleBufferStats {
  buffered: number;
  enqueued: number;
  dropped: number;
  failed: number;
}

export class SampleBuffer {
  private pending: { projectId: string; sample: OnlineSample }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly capacity: number;
  private readonly flushSize: number;
  private readonly flushMs: number;
  private readonly perJob: number;
  private readonly counts = { enqueued: 0, dropped: 0, failed: 0 };
  private readonly failures = new RepeatedLog();

  constructor(
    private readonly enqueue: EnqueueSamples,
    options: SampleBufferOptions = {},
  ) {
    this.capacity = options.capacity ?? envInt("SWITCHYARD_ONLINE_EVAL_BUFFER", 2_000);
    this.flushSize = options.flushSize ?? 100;
    this.flushMs = options.flushMs ?? 250;
    this.perJob = options.perJob ?? 200;
  }

  /** Takes a sample, or drops it (false) when the buffer is full. Never blocks, never throws. */
  push(projectId: string, sample: OnlineSample): boolean {
    if (this.pending.length >= this.capacity) {
      this.counts.dropped++;
      droppedCounter().inc({ reason: "buffer_full" });
      return false;
    }
    this.pending.push({ projectId, sample });
    if (this.pending.length >= this.flushSize) this.schedule(0);
    else this.schedule(this.flushMs);
    return true;
  }

  stats(): SampleBufferStats {
    return { buffered: this.pending.length, ...this.counts };
  }

  /** Enqueues everything buffered now (and waits for a flush in progress). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.send(this.pending.splice(0));
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private schedule(ms: number) {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.pending.length > 0) this.schedule(this.pending.length >= this.flushSize ? 0 : this.flushMs);
      });
    }, ms);
    this.timer.unref?.();
  }

  private async send(batch: { projectId: string; sample: OnlineSample }[]) {
    const byProject = new Map<string, OnlineSample[]>();
    for (const { projectId, sample } of batch) {
      const list = byProject.get(projectId);
      if (list) list.push(sample);
      else byProject.set(projectId, [sample]);
    }
    for (const [projectId, samples] of byProject) {
      for (let i = 0; i < samples.length; i += this.perJob) {
        const chunk = samples.slice(i, i + this.perJob);
        try {
          await this.enqueue(projectId, chunk);
          this.counts.enqueued += chunk.length;
        } catch (error) {
          this.counts.failed += chunk.length;
          droppedCounter().inc({ reason: "enqueue_failed" }, chunk.length);
          this.failures.report(
            `[online-evals] enqueueing sampled requests failed (${describeError(error)}); those samples are dropped`,
          );
        }
      }
    }
  }
}

function envInt(name: string, fallback: number): number {
  const raw = Number(process.env[name] ?? "");
  return Number.isInteger(raw) && raw > 0 ? raw : fallback;
}

const globalForCounter = globalThis as unknown as { switchyardOnlineEvalDropped?: Counter<"reason"> };

/** One counter per process, on the registry /metrics renders. */
function droppedCounter(): Counter<"reason"> {
  globalForCounter.switchyardOnlineEvalDropped ??= new Counter({
    name: "switchyard_online_eval_samples_dropped_total",
    help: "Requests sampled for online evaluation but not queued: buffer_full (the buffer was full), enqueue_failed.",
    labelNames: ["reason"],
    registers: [processMetricsRegistry()],
  });
  return globalForCounter.switchyardOnlineEvalDropped;
}
