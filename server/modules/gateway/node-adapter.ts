/**
 * `node:http` <-> the gateway's Fetch-shaped handler. The request is a light
 * `GatewayHttpRequest` over the IncomingMessage (headers read in place, the
 * body read from the socket with the handler's size limit); the response body
 * streams to the socket as it is produced (SSE chunks at once, with
 * backpressure). A client that hangs up aborts `request.signal` and cancels
 * the response body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { LightAbort } from "@/server/abort";
import { DomainError } from "@/server/errors";
import { BODY_STREAM, type GatewayHttpRequest, OWN_ABORT, READ_BODY_TEXT } from "./http-request";
import { plainJson } from "./json-response";

export type FetchHandler = (req: GatewayHttpRequest) => Promise<Response>;

export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Aborts every request still open with `reason` (shutdown, past its grace period): the handler ends each
   * as that error says (a stream with a final error event) and logs it. Returns how many.
   */
  cutOpen(reason: Error): number;
}

export function toNodeListener(handler: FetchHandler): NodeListener {
  const open = new Set<NodeRequest>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void serve(handler, req, res, open);
  };
  return Object.assign(listener, {
    cutOpen(reason: Error) {
      for (const request of open) request.cut(reason);
      return open.size;
    },
  });
}

class NodeHeaders {
  constructor(private readonly raw: IncomingMessage["headers"]) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

/**
 * A `GatewayHttpRequest` over Node's request: nothing is copied until it is read. What fires when the client
 * hangs up is made only when someone asks: the `LightAbort` it lends the handler (`linkedAbort`), or the real
 * AbortController behind `signal`.
 */
class NodeRequest implements GatewayHttpRequest {
  readonly method: string;
  readonly headers: NodeHeaders;
  readonly pathname: string;
  private consumed = false;
  private light: LightAbort | null = null;
  private controller: AbortController | null = null;
  private hungUp = false;
  /** Set when the server cut the request (shutdown): the abort's reason. */
  private cutReason: Error | null = null;

  constructor(private readonly incoming: IncomingMessage) {
    this.method = incoming.method ?? "GET";
    this.headers = new NodeHeaders(incoming.headers);
    const target = incoming.url ?? "/";
    const query = target.indexOf("?");
    this.pathname = query === -1 ? target : target.slice(0, query);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.hungUp) this.controller.abort();
      else if (this.cutReason) this.controller.abort(this.cutReason);
    }
    return this.controller.signal;
  }

  [OWN_ABORT](): LightAbort {
    if (!this.light) {
      this.light = new LightAbort();
      if (this.hungUp) this.light.abort();
      else if (this.cutReason) this.light.abort(this.cutReason);
    }
    return this.light;
  }

  /** The client closed the connection before the answer was complete. */
  hangUp() {
    this.hungUp = true;
    this.light?.abort();
    this.controller?.abort();
  }

  /** The server ends the request (shutdown): aborted with `reason`, while the client is still there to be told. */
  cut(reason: Error) {
    if (this.hungUp || this.cutReason) return;
    this.cutReason = reason;
    this.light?.abort(reason);
    this.controller?.abort(reason);
  }

  get aborted(): boolean {
    return this.hungUp;
  }

  get url(): string {
    return `http://${this.incoming.headers.host ?? "localhost"}${this.incoming.url ?? "/"}`;
  }

  /** The body as a web stream, for code that wants one (the gateway itself reads `READ_BODY_TEXT`). */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.method === "GET" || this.method === "HEAD" || this.consumed) return null;
    this.consumed = true;
    return Readable.toWeb(this.incoming) as ReadableStream<Uint8Array>;
  }

  /** The socket's stream itself (an upload streamed to disk: no web-stream layer in between). */
  [BODY_STREAM](): Readable | null {
    if (this.method === "GET" || this.method === "HEAD" || this.consumed) return null;
    this.consumed = true;
    return this.incoming;
  }

  [READ_BODY_TEXT](maxBytes: number): Promise<string> {
    const incoming = this.incoming;
    const tooLarge = () =>
      new DomainError("PAYLOAD_TOO_LARGE", `Request body is larger than the ${Math.round(maxBytes / 1024)} KiB limit`);
    if (this.consumed) return Promise.reject(new Error("the request body was already read"));
    this.consumed = true;
    const declared = Number(incoming.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      incoming.resume(); // discard it; the 413 goes out at once
      return Promise.reject(tooLarge());
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const cleanup = () => {
        incoming.off("data", onData);
        incoming.off("end", onEnd);
        incoming.off("error", onError);
        incoming.off("aborted", onAborted);
      };
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) {
          cleanup();
          incoming.resume();
          return reject(tooLarge());
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8"));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onAborted = () => onError(new Error("the client closed the connection while sending the body"));
      incoming.on("data", onData);
      incoming.once("end", onEnd);
      incoming.once("error", onError);
      incoming.once("aborted", onAborted);
    });
  }
}

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, open: Set<NodeRequest>) {
  const request = new NodeRequest(req);
  open.add(request);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  res.on("close", () => {
    open.delete(request);
    if (res.writableFinished) return;
    request.hangUp();
    reader?.cancel().catch(() => {});
  });
  let response: Response;
  try {
    response = await handler(request);
  } catch (error) {
    console.error("[gateway] handler threw", error);
    response = Response.json(
      { error: { message: "Internal error", type: "api_error", code: "internal", param: null } },
      { status: 500 },
    );
  }
  if (request.aborted) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const plain = plainJson(response);
  if (plain) {
    // `plain.headers` is this answer's own object (jsonResponse made it).
    plain.headers["content-length"] = String(Buffer.byteLength(plain.text));
    res.writeHead(plain.status, plain.headers);
    return void res.end(plain.text);
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  if (!response.body) {
    res.writeHead(response.status, headers);
    return void res.end();
  }
  const whole = wholeBody(response);
  if (whole) {
    // A JSON answer is complete before it is sent: headers and body leave in one write.
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await whole);
    } catch (error) {
      console.error("[gateway] response body failed", error);
      return void res.destroy();
    }
    if (request.aborted) return;
    headers["content-length"] = String(bytes.length);
    res.writeHead(response.status, headers);
    return void res.end(bytes);
  }
  res.writeHead(response.status, headers);
  reader = response.body.getReader();
  // What the stream yields in one turn of the event loop leaves in one write: an upstream packet holding several
  // SSE events becomes several chunks here, and a syscall each cost more than the rest of their work together.
  // The headers go with the first of them (the first event is ready before the Response exists).
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!corked) {
        corked = true;
        res.cork();
        setImmediate(uncork);
      }
      if (!res.write(value)) await drained(res);
      if (res.destroyed) break;
    }
    res.end();
  } catch (error) {
    if (!request.aborted) console.error("[gateway] response stream failed", error);
    res.destroy();
  }
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The body at once, for JSON answers (complete before they are sent); anything else (SSE, a stored file's
 * content, which may be hundreds of MB) is sent as it is produced.
 */
function wholeBody(response: Response): Promise<ArrayBuffer> | null {
  if (!JSON_TYPE.test(response.headers.get("content-type") ?? "")) return null;
  return response.arrayBuffer();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
