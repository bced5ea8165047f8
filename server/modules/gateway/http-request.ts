import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { type AbortHandle, type AbortLike, follow } from "@/server/abort";
import { DomainError } from "@/server/errors";
import { limitBody } from "@/server/http/body-limit";
import { findUnstorableText, MAY_HOLD_UNSTORABLE_ESCAPE, refuseUnstorableText } from "@/server/http/storable-text";

/**
 * What the gateway reads of an HTTP request: a subset of the Fetch API's
 * `Request`, so a real `Request` (the Next mount, tests) is one as it is. The
 * `node:http` adapter passes a lighter object that reads the socket directly:
 * on Node 20 building a `Request` and reading its body through web streams
 * cost ~0.2 ms of CPU per call, more than the rest of the gateway's own work.
 */
export interface GatewayHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  readonly signal: AbortSignal;
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A request that can hand over its body without web streams (see node-adapter.ts). */
export const READ_BODY_TEXT = Symbol("switchyard.readBodyText");
type DirectBody = { [READ_BODY_TEXT]?: (maxBytes: number) => Promise<string> };

/** A request that can hand over its body as the Node stream it already is (see node-adapter.ts). */
export const BODY_STREAM = Symbol("switchyard.bodyStream");
type DirectStream = { [BODY_STREAM]?: () => Readable | null };

/**
 * The body as a Node stream, for routes that stream an upload (`/v1/files`) instead of reading it whole: the
 * socket itself under `node:http`, the Fetch body elsewhere. No size limit here: the route sets its own.
 */
export function bodyStream(req: GatewayHttpRequest): Readable | null {
  const direct = (req as DirectStream)[BODY_STREAM];
  if (direct) return direct.call(req);
  return req.body ? Readable.fromWeb(req.body as unknown as WebReadableStream<Uint8Array>) : null;
}

/**
 * A request that owns a `LightAbort` (server/abort.ts) that fires when the client goes away, and lends it (see
 * `linkedAbort`). The `node:http` adapter's requests do.
 */
export const OWN_ABORT = Symbol("switchyard.ownAbort");
type OwnAbort = { [OWN_ABORT]?: () => AbortHandle };

const noop = () => {};

/**
 * An abort that fires when the client goes away, for work the handler may also stop itself; `release` unlinks
 * it. Where the request lends its own that is it (a `LightAbort`: no AbortSignal, no listener; see
 * server/abort.ts for what that saves); otherwise a new AbortController linked to `req.signal`.
 */
export function linkedAbort(req: GatewayHttpRequest): { controller: AbortHandle; release: () => void } {
  const own = (req as OwnAbort)[OWN_ABORT];
  if (own) return { controller: own.call(req), release: noop };
  const controller = new AbortController();
  return { controller, release: follow(req.signal, controller) };
}

/** What fires when the client goes away: the request's lent `LightAbort` where it has one (no AbortSignal made). */
export function clientSignal(req: GatewayHttpRequest): AbortLike {
  const own = (req as OwnAbort)[OWN_ABORT];
  return own ? own.call(req).signal : req.signal;
}

/** The body as text, refusing more than `maxBytes` with 413 (PAYLOAD_TOO_LARGE) before reading it all. */
async function readBodyText(req: GatewayHttpRequest, maxBytes: number): Promise<string> {
  const direct = req as DirectBody;
  if (direct[READ_BODY_TEXT]) return direct[READ_BODY_TEXT](maxBytes);
  return (await limitBody(req as Request, maxBytes)).text();
}

/**
 * A path segment naming a model or stored response, decoded; null when it cannot name one: a malformed `%`
 * escape, or a NUL or lone surrogate that no stored name holds (and PostgreSQL would refuse to compare).
 */
export function decodePathId(segment: string): string | null {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return findUnstorableText(id) ? null : id;
}

/** The request's path, without building a URL when the adapter already knows it. */
export function pathOf(req: GatewayHttpRequest): string {
  const path = (req as { pathname?: string }).pathname;
  return path ?? new URL(req.url).pathname;
}

/**
 * Reads the body within the size limit; malformed JSON or a non-object is a 400. So is a NUL or a lone surrogate
 * in any string (PostgreSQL could not store the request's log row or stored response), naming the field;
 * `parsed` sees the body first, so the log row still says what the request asked for.
 */
export async function readJsonObject(
  req: GatewayHttpRequest,
  maxBytes: number,
  parsed?: (body: Record<string, unknown>) => void,
): Promise<Record<string, unknown>> {
  const text = await readBodyText(req, maxBytes);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DomainError("BAD_REQUEST", "The request body is not valid JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new DomainError("BAD_REQUEST", "The request body must be a JSON object");
  parsed?.(body as Record<string, unknown>);
  // Only \u escapes can carry them: most bodies skip the walk.
  if (MAY_HOLD_UNSTORABLE_ESCAPE.test(text)) refuseUnstorableText(body, "body");
  return body as Record<string, unknown>;
}
