// Runs one batch line through the gateway's own pipeline, in-process: the same handler a live request meets
// (model resolution, prompts, experiments, routes, guardrails, cache, key limits), authenticated as the key
// that created the batch, its log entry captured so the executor stores it with the line's result.
import { randomUUID } from "node:crypto";
import { SCOPES } from "@/lib/scopes";
import { principalOfKeyId } from "@/server/auth/api-key";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { BatchLine } from "@/server/modules/files/batch-lines";
import { createGatewayHandler, type GatewayHandler } from "@/server/modules/gateway/handler";
import { type GatewayHttpRequest, READ_BODY_TEXT } from "@/server/modules/gateway/http-request";
import type { KeyPrincipal } from "@/server/modules/gateway/key-cache";
import { KeyUsageRecorder } from "@/server/modules/gateway/key-usage-recorder";
import type { RequestLogEntry } from "@/server/modules/request-log/types";
import { processRouteSource } from "@/server/modules/routes/db-source";

export interface LineOutcome {
  line: number;
  customId: string;
  statusCode: number | null;
  requestId: string | null;
  /** The response body as the gateway wrote it (JSON text). */
  bodyText: string;
  error: { code: string; message: string } | null;
  /** The request-log row, stored in the same transaction as the result (exactly one per line). */
  entry: RequestLogEntry | null;
}

/** Statuses a line waits out and tries again (rate limits, a full engine queue), never the line's result. */
const WAIT_CODES = new Set(["rate_limited", "token_rate_limited", "busy"]);

export class BatchGateway {
  private readonly handler: GatewayHandler;
  private readonly captured = new Map<string, RequestLogEntry>();
  private principal?: Promise<KeyPrincipal>;
  /** Settles the key's reservations with what lines used; closed (flushed) when the run ends. */
  private readonly usage: KeyUsageRecorder;

  constructor(
    private readonly db: Db,
    private readonly batch: { id: string; projectId: string; apiKeyId: string | null },
  ) {
    this.usage = new KeyUsageRecorder(db);
    this.handler = createGatewayHandler({
      db,
      sink: { record: (entry) => this.captured.set(entry.id, { ...entry, batchId: batch.id }) },
      authenticate: () => this.who(),
      keyUsage: this.usage,
      routes: processRouteSource(db),
      // Batch lines, eval runs and judges are not live traffic: online evaluation does not sample them.
      observers: [],
    });
  }

  /** The key, checked once per run (a revoked key fails the rest of the batch on its next attempt). */
  private who(): Promise<KeyPrincipal> {
    const { apiKeyId, projectId } = this.batch;
    this.principal ??= apiKeyId
      ? principalOfKeyId(this.db, apiKeyId).then((p) => p as KeyPrincipal)
      : Promise.resolve({ kind: "apiKey", keyId: null, projectId, scopes: SCOPES, label: "schedule" } as KeyPrincipal);
    return this.principal;
  }

  /** One line to its final outcome; null when `signal` stopped it first (it will run again on resume). */
  async run(line: BatchLine, signal: AbortSignal): Promise<LineOutcome | null> {
    for (;;) {
      if (signal.aborted) return null;
      const request = lightRequest(line, this.batch.id, signal);
      let response: Response;
      let text: string;
      try {
        response = await this.handler(request);
        text = await response.text();
      } catch (error) {
        if (signal.aborted) return null;
        throw error;
      }
      const requestId = headerOf(response, "x-request-id");
      const entry = requestId ? this.take(requestId) : null;
      if (signal.aborted) return null;
      const ok = response.status >= 200 && response.status < 300;
      // A success's body is kept as the text it came as (stored as is); errors are read for their code.
      const body = ok ? null : parseBody(text);
      const code = ok ? null : errorCode(body);
      if (response.status === 429 && code && WAIT_CODES.has(code)) {
        await wait(retryAfterMs(response), signal);
        continue;
      }
      return {
        line: line.line,
        customId: line.customId,
        statusCode: response.status,
        requestId: requestId ?? `req_${randomUUID().replaceAll("-", "")}`,
        bodyText: text,
        error: ok ? null : { code: code ?? String(response.status), message: errorMessage(body) ?? text.slice(0, 500) },
        entry,
      };
    }
  }

  /** Flushes the key usage the lines recorded. */
  close(): Promise<void> {
    return this.usage.close();
  }

  private take(requestId: string): RequestLogEntry | null {
    const entry = this.captured.get(requestId) ?? null;
    this.captured.delete(requestId);
    return entry;
  }
}

/**
 * What the gateway reads of a request, without a Fetch `Request`: building one and reading its body through web
 * streams costs more CPU than the rest of a line's own work (see http-request.ts). The body is handed over as text.
 */
function lightRequest(line: BatchLine, batchId: string, signal: AbortSignal): GatewayHttpRequest {
  const headers: Record<string, string> = { "content-type": "application/json", "x-switchyard-batch": batchId };
  const text = JSON.stringify(line.body);
  return {
    method: "POST",
    url: `http://batch.switchyard.internal${line.url}`,
    pathname: line.url,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
    signal,
    body: null,
    [READ_BODY_TEXT]: async (maxBytes: number) => {
      if (Buffer.byteLength(text) > maxBytes)
        throw new DomainError("PAYLOAD_TOO_LARGE", `The line's body is larger than ${maxBytes} bytes`);
      return text;
    },
  } as GatewayHttpRequest;
}

/** A header of the gateway's answer; JSON answers keep theirs in a plain record (json-response.ts). */
function headerOf(response: Response, name: string): string | null {
  const plain = (response as { plain?: { headers: Record<string, string> } }).plain;
  return plain ? (plain.headers[name] ?? null) : response.headers.get(name);
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError("INTERNAL", "The gateway answered a batch line with a body that is not JSON");
  }
}

const errorCode = (body: unknown): string | null => {
  const e = (body as { error?: { code?: unknown; type?: unknown } } | null)?.error;
  return typeof e?.code === "string" ? e.code : typeof e?.type === "string" ? e.type : null;
};
const errorMessage = (body: unknown): string | null => {
  const m = (body as { error?: { message?: unknown } } | null)?.error?.message;
  return typeof m === "string" ? m : null;
};

function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 1000;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
