import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from "eventsource-parser";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import type { AbortLike } from "@/server/abort";
import { errorFromNetwork, errorFromStatus, malformed, ProviderAbortError, ProviderError, timedOut } from "./errors";
import { hopHeaders, type Requester } from "./hops";
import { type DispatchTarget, dispatchPost, targetOf, toHeaders } from "./transport";
import type { CallOptions } from "./types";

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Guards memory against an upstream that never ends a line or an event. */
const MAX_SSE_BUFFER = 8 * 1024 * 1024;
/** Of an error answer's body, what we keep to read its message from (the message is cut to 200 characters). */
const MAX_ERROR_BODY = 64 * 1024;
/** Parsed SSE events held for a slow reader before undici stops reading the socket. */
const MAX_QUEUED_EVENTS = 256;

export interface UpstreamHttpConfig {
  baseUrl: string;
  headers: Record<string, string>;
  /** Scrubbed from any upstream message we repeat. */
  apiKey?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

type Mode = "json" | "sse";
type Queued = EventSourceMessage | ParseError;

/**
 * One upstream exchange, as undici pushes it: the status, then body chunks
 * (SSE parsed as they come, or text gathered), then the end or an error. The
 * reading side (`postJson`, `postSse`) waits on `changed()`. Also the one
 * place that knows why an exchange failed: the caller's abort, a timeout
 * (ours or undici's), or the network.
 */
class Call implements Dispatcher.DispatchHandler {
  status = 0;
  headers: Record<string, string | string[] | undefined> = {};
  /** The whole body arrived. */
  ended = false;
  failure: Error | null = null;
  /** JSON mode, or an error answer: the body text. */
  text = "";
  readonly queue: Queued[] = [];
  private controller: Dispatcher.DispatchController | null = null;
  /** Frees the call's share of the origin's connections (`shares.ts`): set while it holds a connection. */
  private release: (() => void) | null = null;
  /** Takes the call out of its project's queue: set while it waits for a connection. */
  withdraw: (() => void) | null = null;
  private parser: EventSourceParser | null = null;
  private decoder: TextDecoder | null = null;
  private wake: (() => void) | null = null;
  /** Our own timers, not undici's: those tick every ~0.5 s, too coarse for short per-call limits. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly forwardAbort = () => this.abort(new ProviderAbortError(this.signal?.reason));

  constructor(
    readonly mode: Mode,
    private readonly host: string,
    private readonly signal: AbortLike | undefined,
    /** Whose share of the origin's connections the call takes, and the hops its request came through. */
    readonly requester: Requester | undefined,
    /** `headersMs`: until the headers (JSON: the whole exchange); `bodyMs`: SSE, the longest gap between chunks. */
    private readonly timeouts: { headersMs: number; bodyMs: number },
  ) {
    if (signal?.aborted) this.failure = new ProviderAbortError(signal.reason);
    else signal?.addEventListener("abort", this.forwardAbort, { once: true });
    if (!this.failure) this.arm(timeouts.headersMs, "waiting for the response");
  }

  get ok() {
    return this.status >= 200 && this.status <= 299;
  }

  /** Resolves at the next change (status, data, end, failure); call only when there is nothing to read. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Resolves once the status and headers are here; throws how the exchange failed. */
  async untilStatus() {
    while (!this.status && !this.failure) await this.changed();
    if (this.failure) throw this.failure;
  }

  /** Resolves once the whole body is here; throws how the exchange failed. */
  async untilEnd() {
    while (!this.ended && !this.failure) await this.changed();
    if (this.failure) throw this.failure;
  }

  private notify() {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private arm(ms: number, what: string) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.abort(timedOut(this.host, ms, what)), ms);
  }

  /** Fails the exchange now (the reader sees `reason`) and closes its connection. */
  abort(reason: Error) {
    if (this.failure || this.ended) return;
    this.failure = reason;
    clearTimeout(this.timer);
    this.leaveQueue();
    this.controller?.abort(reason);
    this.notify();
  }

  /** The call's turn came (`dispatchPost`): false when it already failed while waiting, so is not sent. */
  onStart(release: () => void): boolean {
    this.withdraw = null;
    if (this.failure) return false;
    this.release = release;
    return true;
  }

  private leaveQueue() {
    const withdraw = this.withdraw;
    this.withdraw = null;
    withdraw?.();
  }

  /** The exchange is over: its connection goes back to the pool and to the next waiting call. */
  private free() {
    const release = this.release;
    this.release = null;
    release?.();
  }

  /** Lets undici read on after `MAX_QUEUED_EVENTS` made it pause (the idle clock restarts). */
  drained() {
    if (!this.controller?.paused || this.failure) return;
    this.arm(this.timeouts.bodyMs, "waiting for stream data");
    this.controller.resume();
  }

  dispose() {
    clearTimeout(this.timer);
    this.leaveQueue();
    this.signal?.removeEventListener("abort", this.forwardAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller;
    if (this.failure) controller.abort(this.failure);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ) {
    if (this.failure) return;
    this.status = status;
    this.headers = headers;
    if (this.mode === "sse" && this.ok) {
      this.arm(this.timeouts.bodyMs, "waiting for stream data");
      this.decoder = new TextDecoder();
      this.parser = createParser({
        onEvent: (event) => this.queue.push(event),
        onError: (error) => this.queue.push(error),
        maxBufferSize: MAX_SSE_BUFFER,
      });
    }
    this.notify();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
    if (this.failure) return;
    if (this.parser) {
      this.timer?.refresh();
      this.parser.feed(this.decoder!.decode(chunk, { stream: true }));
      if (this.queue.length >= MAX_QUEUED_EVENTS) {
        // The reader is behind: stop reading the socket; its silence is not the upstream's.
        clearTimeout(this.timer);
        controller.pause();
      }
    } else if (this.ok || this.text.length < MAX_ERROR_BODY) this.text += chunk.toString("utf8");
    this.notify();
  }

  onResponseEnd() {
    this.free();
    if (this.failure) return;
    clearTimeout(this.timer);
    this.parser?.feed(this.decoder!.decode());
    this.ended = true;
    this.notify();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error) {
    this.free();
    clearTimeout(this.timer);
    if (!this.failure) this.failure = this.describe(error);
    this.notify();
  }

  private describe(error: Error): Error {
    if (this.signal?.aborted) return new ProviderAbortError(this.signal.reason);
    if (error instanceof ProviderError || error instanceof ProviderAbortError) return error;
    return errorFromNetwork(error, this.host, this.status ? "read" : "connect");
  }
}

/** JSON-over-HTTP and SSE transport shared by the provider clients: timeouts, aborts and error mapping live here. */
export class UpstreamHttp {
  readonly host: string;
  private readonly baseUrl: string;
  private readonly targets = new Map<string, DispatchTarget>();

  /** The request headers for each kind of answer, built once (undici copies them, never changes them). */
  private readonly jsonHeaders: Record<string, string>;
  private readonly sseHeaders: Record<string, string>;

  constructor(private readonly config: UpstreamHttpConfig) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, "");
    this.host = new URL(this.baseUrl).host;
    // A client's own request (no hops yet) is nearly every call: its hop headers are built in.
    const hops = hopHeaders(undefined);
    this.jsonHeaders = { ...config.headers, "content-type": "application/json", accept: "application/json", ...hops };
    this.sseHeaders = { ...config.headers, "content-type": "application/json", accept: "text/event-stream", ...hops };
  }

  private target(path: string): DispatchTarget {
    let target = this.targets.get(path);
    if (!target) {
      target = targetOf(new URL(`${this.baseUrl}${path}`));
      this.targets.set(path, target);
    }
    return target;
  }

  /** POSTs `body` and returns the parsed JSON answer; `timeoutMs` covers the whole exchange. */
  async postJson(path: string, body: unknown, opts: CallOptions = {}): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const call = new Call("json", this.host, opts.signal, opts.requester, { headersMs: timeoutMs, bodyMs: 0 });
    try {
      this.send(path, body, call);
      await call.untilEnd();
      this.throwIfRefused(call);
      try {
        return JSON.parse(call.text);
      } catch {
        // The body is not repeated: whatever answered may not be an LLM server at all (SSRF read-back).
        throw malformed(`expected JSON from ${this.host}, got ${describeBody(call)}`);
      }
    } finally {
      call.dispose();
      if (!call.ended) call.abort(new ProviderAbortError());
    }
  }

  /**
   * POSTs `body` and yields the SSE events of the answer as they arrive. `timeoutMs` covers the wait for the
   * response headers, `idleTimeoutMs` each wait for more bytes. Returning early closes the connection unless the
   * whole answer is already here (it then goes back to the pool).
   */
  async *postSse(path: string, body: unknown, opts: CallOptions = {}): AsyncGenerator<EventSourceMessage> {
    const call = new Call("sse", this.host, opts.signal, opts.requester, {
      headersMs: opts.timeoutMs ?? this.config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      bodyMs: opts.idleTimeoutMs ?? this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
    try {
      this.send(path, body, call);
      await call.untilStatus();
      if (!call.ok) {
        await call.untilEnd();
        this.throwIfRefused(call);
      }
      for (;;) {
        const item = call.queue.shift();
        if (item) {
          if (item instanceof Error) throw malformed(`invalid SSE from ${this.host}: ${describeParseError(item)}`);
          yield item;
          // The caller may abort while holding an event; don't hand it the rest of an already-read chunk.
          if (call.failure) throw call.failure;
          continue;
        }
        if (call.failure) throw call.failure;
        if (call.ended) return;
        call.drained();
        await call.changed();
      }
    } finally {
      call.dispose();
      // The caller stopped early (after `[DONE]`, or it went away): stop the upstream unless it already finished.
      if (!call.ended) call.abort(new ProviderAbortError());
    }
  }

  private send(path: string, body: unknown, call: Call) {
    if (call.failure) return; // the caller aborted before we began
    const base = call.mode === "json" ? this.jsonHeaders : this.sseHeaders;
    const { requester } = call;
    const headers = requester?.hops || requester?.via.length ? { ...base, ...hopHeaders(requester) } : base;
    call.withdraw = dispatchPost(this.target(path), headers, JSON.stringify(body), call, requester, this.host);
  }

  /** A non-2xx answer, read whole: the error it maps to. */
  private throwIfRefused(call: Call) {
    if (call.ok) return;
    throw errorFromStatus(call.status, toHeaders(call.headers), call.text, this.host, this.config.apiKey);
  }
}

function describeParseError(error: ParseError) {
  if (error.type === "invalid-retry") return "an invalid retry field";
  if (error.type === "unknown-field") return "an unknown field";
  return "an event or line past the size limit";
}

/** What a body that was not JSON looked like, without its content: its type and size. */
function describeBody(call: Call) {
  const type = call.headers["content-type"];
  const kind = typeof type === "string" ? type.split(";")[0].trim().slice(0, 50) : "no content type";
  return `a body that is not JSON (${kind || "no content type"}, ${Buffer.byteLength(call.text)} bytes)`;
}

/** Parses one SSE `data` payload as JSON, or throws the malformed-response error. */
export function parseEventJson(data: string, host: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw malformed(`invalid JSON in a stream event from ${host} (${data.length} characters, not repeated)`);
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
