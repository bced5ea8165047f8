// Entry factories shared by the request-log tests and the benchmark.
import { randomUUID } from "node:crypto";
import type { RequestLogEntry } from "./types";

/** A valid entry; override any field. */
export function makeEntry(overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  return {
    id: randomUUID(),
    projectId: "00000000-0000-4000-8000-000000000001",
    apiKeyId: null,
    startedAt: new Date(),
    method: "POST",
    path: "/v1/chat/completions",
    requestedModel: "support-bot@production",
    modelId: null,
    modelVersionId: null,
    promptVersionId: null,
    experimentId: null,
    variantId: null,
    deployment: "cpu",
    status: 200,
    errorCode: null,
    errorMessage: null,
    stream: false,
    latencyMs: 120,
    ttftMs: null,
    tokensIn: 10,
    tokensOut: 20,
    costUsd: 0.0001,
    cacheHit: false,
    guardrails: [],
    requestBody: null,
    responseBody: null,
    userId: null,
    ...overrides,
  };
}

export interface TrafficShape {
  projectIds: string[];
  modelVersionIds: string[];
  promptVersionIds: string[];
  /** Each variant pins one prompt version (as an experiment would). */
  variants: { id: string; experimentId: string; promptVersionId: string }[];
  apiKeyIds: string[];
}

export function makeTrafficShape(
  random: () => number,
  sizes = { projects: 3, models: 4, prompts: 3, variants: 2, keys: 5 },
): TrafficShape {
  const uuid = () => {
    // Seeded v4-shaped ids, so reruns produce the same dimensions.
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const many = (n: number) => Array.from({ length: n }, uuid);
  const promptVersionIds = many(sizes.prompts);
  const experimentId = uuid();
  return {
    projectIds: many(sizes.projects),
    modelVersionIds: many(sizes.models),
    promptVersionIds,
    variants: Array.from({ length: sizes.variants }, (_, i) => ({
      id: uuid(),
      experimentId,
      promptVersionId: promptVersionIds[i % promptVersionIds.length],
    })),
    apiKeyIds: many(sizes.keys),
  };
}

/**
 * Plausible gateway traffic: log-normal latencies (median ~400 ms), TTFT on
 * streams, ~3 % errors, ~10 % cache hits, some requests without a prompt or
 * key. `at(i)` gives the start time of the i-th entry.
 */
export function makeTraffic(
  count: number,
  shape: TrafficShape,
  random: () => number,
  at: (i: number) => Date,
  id: () => string = randomUUID,
): RequestLogEntry[] {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const stream = random() < 0.6;
    const latencyMs = Math.exp(6 + 0.9 * normal());
    const roll = random();
    const status = roll < 0.02 ? 500 : roll < 0.03 ? 429 : 200;
    const variant = random() < 0.3 ? pick(shape.variants) : null;
    const promptVersionId = variant ? variant.promptVersionId : random() < 0.5 ? pick(shape.promptVersionIds) : null;
    const tokensIn = 20 + Math.floor(random() * 500);
    const tokensOut = status === 200 ? 5 + Math.floor(random() * 300) : 0;
    return makeEntry({
      id: id(),
      projectId: pick(shape.projectIds),
      apiKeyId: random() < 0.9 ? pick(shape.apiKeyIds) : null,
      startedAt: at(i),
      modelVersionId: pick(shape.modelVersionIds),
      promptVersionId,
      experimentId: variant?.experimentId ?? null,
      variantId: variant?.id ?? null,
      status,
      errorCode: status === 500 ? "UPSTREAM" : status === 429 ? "RATE_LIMITED" : null,
      errorMessage: status === 200 ? null : "failed",
      stream,
      latencyMs,
      ttftMs: stream && status === 200 ? latencyMs * (0.05 + 0.3 * random()) : null,
      tokensIn,
      tokensOut,
      costUsd: (tokensIn * 0.5 + tokensOut * 1.5) / 1_000_000,
      cacheHit: random() < 0.1,
    });
  });
}
