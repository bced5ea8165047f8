import { randomUUID } from "node:crypto";
import type { Requester } from "@/server/modules/providers/hops";
import type { RequestLogEntry, RequestLogSink } from "@/server/modules/request-log/types";
import { type BodyMasker, createBodyMasker } from "./body-masking";
import { type GatewayHttpRequest, pathOf, readJsonObject } from "./http-request";
import type { RequestLimits } from "./key-limits";
import type { GatewayObserver } from "./observers";

/**
 * Which bodies a project's log keeps (the project's privacy setting): `none`,
 * `masked` (the parsed request and the response text with personal data
 * replaced by `<KIND_n>` placeholders) or `full` (as sent).
 */
export type BodyLogging = "none" | "masked" | "full";

export interface Outcome {
  status: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  deployment?: string | null;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  responseBody?: unknown;
  /** The answer's finish reason, tools called and token details (see RequestLogEntry). */
  finishReason?: string;
  toolNames?: string[];
  cachedTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** The in-process engine's device that ran a local model (see RequestLogEntry). */
  device?: string;
}

/** Status and code logged when the client went away before the answer was complete (nginx's 499). */
export const CLIENT_CLOSED = {
  status: 499,
  errorCode: "CLIENT_CLOSED",
  errorMessage: "The client closed the connection",
};

/**
 * One gateway request's log row, filled as the request progresses and written
 * exactly once by `finish()`. Requests with no known project (missing or
 * unknown key) are not logged: the log is per project.
 */
export class GatewayRequest {
  readonly id = randomUUID();
  readonly startedAt: Date;
  private readonly t0 = performance.now();
  private ttftMs: number | null = null;
  private finished = false;
  readonly entry: Omit<
    RequestLogEntry,
    "latencyMs" | "ttftMs" | "status" | "errorCode" | "errorMessage" | "tokensIn" | "tokensOut" | "costUsd"
  >;
  bodyLogging: BodyLogging = "none";
  /** Whose share of upstream connections this request's calls take, and the hops it came through (`hops.ts`). */
  requester: Requester | undefined = undefined;
  /** Runs after the row is recorded (e.g. adding tokens and cost to the key's limit counters); never throws out. */
  afterFinish: ((entry: RequestLogEntry) => void) | null = null;
  /** A limited key's reservation: made once the request knows what it will use, settled after `finish()`. */
  keyLimits: RequestLimits | null = null;
  private masker: BodyMasker | null = null;
  /** Who watches finished requests (`observers.ts`); set by the handler. */
  observers: readonly GatewayObserver[] = [];
  /** The parsed request body as received, kept (a reference) for observers whatever the log keeps. */
  private receivedBody: unknown = null;

  constructor(
    private readonly sink: RequestLogSink,
    req: GatewayHttpRequest,
    now: () => Date,
  ) {
    this.startedAt = now();
    this.entry = {
      id: this.id,
      projectId: "",
      apiKeyId: null,
      startedAt: this.startedAt,
      method: req.method,
      path: pathOf(req),
      requestedModel: null,
      modelId: null,
      modelVersionId: null,
      promptVersionId: null,
      experimentId: null,
      variantId: null,
      deployment: null,
      stream: false,
      cacheHit: false,
      guardrails: [],
      requestBody: null,
      responseBody: null,
      userId: null,
      sessionId: null,
      modalities: undefined,
    };
  }

  /** Seconds since the epoch when the request arrived: OpenAI's `created`. */
  get created(): number {
    return Math.floor(this.startedAt.getTime() / 1000);
  }

  /** Call when the first token reaches the response (stream) or the engine (non-stream). */
  firstToken() {
    this.ttftMs ??= performance.now() - this.t0;
  }

  get isFinished() {
    return this.finished;
  }

  /**
   * The request's JSON object body (400 when it is not one), with the requested model noted at once, so even a
   * request refused by validation is logged with what it asked for.
   */
  async readBody(req: GatewayHttpRequest, maxBytes: number): Promise<Record<string, unknown>> {
    return readJsonObject(req, maxBytes, (raw) => {
      this.entry.requestedModel = typeof raw.model === "string" ? raw.model : null;
    });
  }

  /** Keeps the parsed request body when the project's body logging allows it. */
  keepRequestBody(body: unknown) {
    this.receivedBody = body;
    this.entry.requestBody = this.loggable(body);
  }

  private loggable(body: unknown): unknown {
    if (body == null || this.bodyLogging === "none") return null;
    if (this.bodyLogging === "full") return body;
    this.masker ??= createBodyMasker();
    return this.masker(body);
  }

  /** Writes the row; later calls are ignored, so every path may call it. */
  finish(outcome: Outcome) {
    if (this.finished) return;
    this.finished = true;
    if (!this.entry.projectId) return;
    // Every field written out: on Node 20 `{ ...this.entry, status, ... }` costs ~20 µs (a V8 slow path for
    // properties added after a spread), more than the rest of the row's work together.
    const e = this.entry;
    const entry: RequestLogEntry = {
      id: e.id,
      projectId: e.projectId,
      apiKeyId: e.apiKeyId,
      startedAt: e.startedAt,
      method: e.method,
      path: e.path,
      requestedModel: e.requestedModel,
      modelId: e.modelId,
      modelVersionId: e.modelVersionId,
      promptVersionId: e.promptVersionId,
      experimentId: e.experimentId,
      variantId: e.variantId,
      deployment: outcome.deployment ?? e.deployment,
      status: outcome.status,
      errorCode: outcome.errorCode ?? null,
      errorMessage: outcome.errorMessage ?? null,
      stream: e.stream,
      latencyMs: performance.now() - this.t0,
      ttftMs: this.ttftMs,
      tokensIn: outcome.tokensIn ?? 0,
      tokensOut: outcome.tokensOut ?? 0,
      costUsd: outcome.costUsd ?? 0,
      cacheHit: e.cacheHit,
      guardrails: e.guardrails,
      requestBody: e.requestBody,
      responseBody: this.loggable(outcome.responseBody),
      userId: e.userId,
      // Left undefined when unknown: the field then costs nothing in the log writer's JSON and reads as NULL.
      finishReason: outcome.finishReason,
      toolNames: outcome.toolNames,
      cachedTokens: outcome.cachedTokens,
      cacheWriteTokens: outcome.cacheWriteTokens,
      reasoningTokens: outcome.reasoningTokens,
      device: outcome.device,
      modalities: e.modalities,
      sessionId: e.sessionId,
    };
    try {
      this.sink.record(entry);
    } catch (error) {
      // The log must never fail a request that already has its answer.
      console.error("[gateway] request log sink failed", error);
    }
    try {
      this.afterFinish?.(entry);
    } catch (error) {
      console.error("[gateway] after-finish hook failed", error);
    }
    if (this.observers.length > 0) this.notifyObservers(entry, outcome.responseBody);
  }

  private notifyObservers(entry: RequestLogEntry, responseBody: unknown) {
    const bodies = () => ({ request: this.receivedBody, response: responseBody });
    for (const observe of this.observers) {
      try {
        observe(entry, bodies);
      } catch (error) {
        console.error("[gateway] request observer failed", error);
      }
    }
  }
}
