/**
 * `node:http` <-> Fetch: the request body and the response body stream
 * through without buffering (SSE chunks reach the socket as they are
 * produced, with backpressure), and a client that hangs up aborts
 * `request.signal` and cancels the response body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export type FetchHandler = (req: Request) => Promise<Response>;

export function toNodeListener(handler: FetchHandler) {
  return (req: IncomingMessage, res: ServerResponse) => {
    void serve(handler, req, res);
  };
}

export function toFetchRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const host = req.headers.host ?? "localhost";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `http://${host}`);
  } catch {
    url = new URL(req.url ?? "/", "http://localhost");
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    signal,
    // Node's fetch needs this for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

async function serve(handler: FetchHandler, req: IncomingMessage, res: ServerResponse) {
  const abort = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  res.on("close", () => {
    if (res.writableFinished) return;
    abort.abort();
    reader?.cancel().catch(() => {});
  });
  let response: Response;
  try {
    response = await handler(toFetchRequest(req, abort.signal));
  } catch (error) {
    console.error("[gateway] handler threw", error);
    response = Response.json(
      { error: { message: "Internal error", type: "api_error", code: "internal", param: null } },
      { status: 500 },
    );
  }
  if (abort.signal.aborted) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  res.flushHeaders();
  reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) break;
    }
    res.end();
  } catch (error) {
    if (!abort.signal.aborted) console.error("[gateway] response stream failed", error);
    res.destroy();
  }
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
