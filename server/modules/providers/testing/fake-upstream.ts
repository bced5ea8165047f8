/**
 * A real HTTP server on 127.0.0.1 that tests program to speak an upstream's wire format, byte by byte when
 * needed. Nothing here touches the network beyond loopback.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
  /** Resolves when the exchange ends: true if the response was fully sent, false if the client hung up first. */
  completed: Promise<boolean>;
}

export type FakeHandler = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  /**
   * The request at `index` in `requests` (0-based), now or once it has been received (its body read): wait on
   * this rather than polling `requests`, which gives up after a fixed time that a loaded machine can outlast.
   */
  received(index: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

const running = new Set<Server>();

export async function startFakeUpstream(handler: FakeHandler): Promise<FakeUpstream> {
  const requests: ReceivedRequest[] = [];
  let waiters: { index: number; resolve: (request: ReceivedRequest) => void }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client hung up before its body arrived: nothing was received
    }
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const completed = new Promise<boolean>((resolve) => res.on("close", () => resolve(res.writableFinished)));
    const received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, completed };
    requests.push(received);
    waiters = waiters.filter((w) => {
      if (w.index >= requests.length) return true;
      w.resolve(requests[w.index]);
      return false;
    });
    try {
      await handler(received, res);
    } catch {
      // The client hung up mid-write: the test asserts on `completed`.
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.add(server);
  const { port } = server.address() as AddressInfo;
  const receivedAt = (index: number) =>
    index < requests.length
      ? Promise.resolve(requests[index])
      : new Promise<ReceivedRequest>((resolve) => waiters.push({ index, resolve }));
  return { origin: `http://127.0.0.1:${port}`, requests, received: receivedAt, close: () => stopServer(server) };
}

function stopServer(server: Server) {
  running.delete(server);
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Closes every fake still running (call from afterEach). */
export const closeAllFakes = () => Promise.all([...running].map(stopServer));

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

/** SSE text for events; `data` objects are JSON-encoded, strings sent as they are. */
export function sse(events: { event?: string; data: unknown }[], newline = "\n"): string {
  return events
    .map(({ event, data }) => {
      const payload = typeof data === "string" ? data : JSON.stringify(data);
      return `${event ? `event: ${event}${newline}` : ""}data: ${payload}${newline}${newline}`;
    })
    .join("");
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Byte offset of `needle` in the UTF-8 encoding of `text` (throws when absent, so a test cannot cut nothing). */
export function byteOffset(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${JSON.stringify(needle)} not in the fake's payload`);
  return Buffer.byteLength(text.slice(0, at));
}

/**
 * Writes `text` as an event stream, cut at the given byte offsets (mid-character, mid-line...), pausing between
 * pieces so each reaches the client as its own read. Leaves the response open when `end` is false.
 */
export async function writeInPieces(
  res: ServerResponse,
  text: string,
  cuts: number[],
  { gapMs = 3, end = true, status = 200 } = {},
) {
  if (!res.headersSent) {
    res.writeHead(status, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
  }
  const bytes = Buffer.from(text, "utf8");
  const points = [...new Set(cuts)].filter((cut) => cut > 0 && cut < bytes.length).sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    res.write(bytes.subarray(from, to));
    from = to;
    await pause(gapMs);
  }
  if (end) res.end();
}
