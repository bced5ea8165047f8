import { createParser, type EventSourceMessage, type ParseError } from "eventsource-parser";
import type { z } from "zod";
import { errorFromNetwork, errorFromStatus, malformed, ProviderAbortError, ProviderError, timedOut } from "./errors";
import { post, readAll, toHeaders, type UpstreamResponse } from "./transport";
import type { CallOptions } from "./types";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Guards memory against an upstream that never ends a line or an event. */
const MAX_SSE_BUFFER = 8 * 1024 * 1024;

export interface UpstreamHttpConfig {
  baseUrl: string;
  headers: Record<string, string>;
  /** Scrubbed from any upstream message we repeat. */
  apiKey?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

/**
 * One call's cancellation: the caller's signal plus our own timers, all feeding one AbortController, and the
 * knowledge of which of them fired so a failure is reported as what it was.
 */
class CallScope {
  readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timeout: ProviderError | null = null;
  private readonly forwardAbort = () => this.controller.abort(this.callerSignal?.reason);

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    private readonly host: string,
  ) {
    if (callerSignal?.aborted) this.forwardAbort();
    else callerSignal?.addEventListener("abort", this.forwardAbort, { once: true });
  }

  arm(ms: number, what: string) {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timeout = timedOut(this.host, ms, what);
      this.controller.abort(this.timeout);
    }, ms);
  }

  disarm() {
    clearTimeout(this.timer);
  }

  dispose() {
    this.disarm();
    this.callerSignal?.removeEventListener("abort", this.forwardAbort);
  }

  throwIfCallerAborted() {
    if (this.callerSignal?.aborted) throw new ProviderAbortError(this.callerSignal.reason);
  }

  /** The error to throw for `error`, raised while connecting or reading the body. */
  fail(error: unknown, phase: "connect" | "read"): Error {
    if (this.callerSignal?.aborted) return new ProviderAbortError(this.callerSignal.reason);
    if (this.timeout) return this.timeout;
    if (error instanceof ProviderError) return error;
    return errorFromNetwork(error, this.host, phase);
  }
}

/** JSON-over-HTTP and SSE transport shared by the provider clients: timeouts, aborts and error mapping live here. */
export class UpstreamHttp {
  readonly host: string;
  private readonly baseUrl: string;
  private readonly urls = new Map<string, URL>();

  constructor(private readonly config: UpstreamHttpConfig) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, "");
    this.host = new URL(this.baseUrl).host;
  }

  private url(path: string): URL {
    let url = this.urls.get(path);
    if (!url) {
      url = new URL(`${this.baseUrl}${path}`);
      this.urls.set(path, url);
    }
    return url;
  }

  /** POSTs `body` and returns the parsed JSON answer; `timeoutMs` covers the whole exchange. */
  async postJson(path: string, body: unknown, opts: CallOptions = {}): Promise<unknown> {
    const scope = new CallScope(opts.signal, this.host);
    try {
      scope.arm(opts.timeoutMs ?? this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS, "waiting for the response");
      const response = await this.send(path, body, scope);
      const text = await this.readText(response, scope);
      try {
        return JSON.parse(text);
      } catch {
        throw malformed(`expected JSON from ${this.host}, got ${JSON.stringify(text.slice(0, 100))}`);
      }
    } finally {
      scope.dispose();
    }
  }

  /**
   * POSTs `body` and yields the SSE events of the answer as they arrive. `timeoutMs` covers the wait for the
   * response headers, `idleTimeoutMs` each wait for more bytes. Returning early closes the connection.
   */
  async *postSse(path: string, body: unknown, opts: CallOptions = {}): AsyncGenerator<EventSourceMessage> {
    const scope = new CallScope(opts.signal, this.host);
    const idleMs = opts.idleTimeoutMs ?? this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let finished = false;
    let stream: UpstreamResponse["body"] | undefined;
    try {
      scope.arm(opts.timeoutMs ?? this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS, "waiting for the response");
      const response = await this.send(path, body, scope, "text/event-stream");
      stream = response.body;
      const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      // Events and parse errors share one queue so they surface in stream order.
      const queue: (EventSourceMessage | ParseError)[] = [];
      const parser = createParser({
        onEvent: (event) => queue.push(event),
        onError: (error) => queue.push(error),
        maxBufferSize: MAX_SSE_BUFFER,
      });
      const decoder = new TextDecoder();
      while (!finished) {
        scope.arm(idleMs, "waiting for stream data");
        let chunk: IteratorResult<Buffer>;
        try {
          chunk = await chunks.next();
        } catch (error) {
          throw scope.fail(error, "read");
        }
        scope.disarm();
        finished = chunk.done === true;
        parser.feed(chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true }));
        for (let item = queue.shift(); item; item = queue.shift()) {
          if (item instanceof Error) throw malformed(`invalid SSE from ${this.host}: ${describeParseError(item)}`);
          yield item;
          // The caller may abort while holding an event; don't hand it the rest of an already-read chunk.
          scope.throwIfCallerAborted();
        }
      }
    } finally {
      scope.dispose();
      if (!finished) {
        // The caller stopped after the last event it needed (`[DONE]`): when the whole answer is already here,
        // let the body end so the connection goes back to the pool; otherwise stop the upstream generating.
        if (stream?.complete) stream.resume();
        else {
          scope.controller.abort();
          stream?.destroy();
        }
      }
    }
  }

  private async send(path: string, body: unknown, scope: CallScope, accept = "application/json") {
    let response: UpstreamResponse;
    try {
      response = await post(
        this.url(path),
        { ...this.config.headers, "content-type": "application/json", accept },
        JSON.stringify(body),
        scope.controller.signal,
      );
    } catch (error) {
      throw scope.fail(error, "connect");
    }
    if (response.status < 200 || response.status > 299) {
      const text = await this.readText(response, scope);
      throw errorFromStatus(response.status, toHeaders(response.headers), text, this.host, this.config.apiKey);
    }
    return response;
  }

  private async readText(response: UpstreamResponse, scope: CallScope) {
    try {
      return await readAll(response.body);
    } catch (error) {
      throw scope.fail(error, "read");
    }
  }
}

function describeParseError(error: ParseError) {
  const line = error.line === undefined ? "" : ` in line ${JSON.stringify(error.line.slice(0, 100))}`;
  return `${error.message}${line}`;
}

/** Parses one SSE `data` payload as JSON, or throws the malformed-response error. */
export function parseEventJson(data: string, host: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw malformed(`invalid JSON in a stream event from ${host}: ${JSON.stringify(data.slice(0, 100))}`);
  }
}

/** Validates an upstream payload against its wire schema, or throws the malformed-response error. */
export function parseWire<T>(schema: z.ZodType<T>, value: unknown, host: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw malformed(`unexpected shape from ${host}: ${path}${issue?.message ?? "invalid"}`);
}

/** Drops undefined fields so request bodies carry only what the caller set. */
export function definedOnly<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
