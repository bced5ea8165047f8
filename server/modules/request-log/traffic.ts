// In-process counters of what the gateway recorded, for /metrics. Per process
// (Prometheus sums replicas); the dashboards read the rollups instead.
import { bucketIndex, emptyHistogram } from "./histogram";
import type { RequestLogEntry } from "./types";

export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] as const;
type StatusClass = (typeof STATUS_CLASSES)[number];

export interface TrafficSnapshot {
  requests: Record<StatusClass, number>;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  cacheHits: number;
  streams: number;
  /** Counts per histogram bucket (histogram.ts), with the sum of the values in ms. */
  latency: { counts: number[]; sumMs: number };
  ttft: { counts: number[]; sumMs: number };
}

export class TrafficCounters {
  private readonly byClass = [0, 0, 0, 0, 0, 0];
  private tokensIn = 0;
  private tokensOut = 0;
  private costUsd = 0;
  private cacheHits = 0;
  private streams = 0;
  private readonly latency = emptyHistogram();
  private latencySumMs = 0;
  private readonly ttft = emptyHistogram();
  private ttftSumMs = 0;

  count(entry: RequestLogEntry): void {
    const klass = Math.floor(entry.status / 100);
    this.byClass[klass >= 1 && klass <= 5 ? klass - 1 : 5]++;
    this.tokensIn += entry.tokensIn;
    this.tokensOut += entry.tokensOut;
    this.costUsd += entry.costUsd;
    if (entry.cacheHit) this.cacheHits++;
    if (entry.stream) this.streams++;
    this.latency[bucketIndex(entry.latencyMs)]++;
    this.latencySumMs += entry.latencyMs;
    if (entry.ttftMs !== null && entry.ttftMs !== undefined) {
      this.ttft[bucketIndex(entry.ttftMs)]++;
      this.ttftSumMs += entry.ttftMs;
    }
  }

  snapshot(): TrafficSnapshot {
    return {
      requests: Object.fromEntries(STATUS_CLASSES.map((name, i) => [name, this.byClass[i]])) as Record<
        StatusClass,
        number
      >,
      tokensIn: this.tokensIn,
      tokensOut: this.tokensOut,
      costUsd: this.costUsd,
      cacheHits: this.cacheHits,
      streams: this.streams,
      latency: { counts: [...this.latency], sumMs: this.latencySumMs },
      ttft: { counts: [...this.ttft], sumMs: this.ttftSumMs },
    };
  }
}
