import { DomainError } from "@/server/errors";

/** JSON APIs take at most this much; uploads get their own routes and limits. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the request body up to `maxBytes` and returns an equivalent Request
 * holding it, or throws PAYLOAD_TOO_LARGE without reading the rest. The
 * Fetch adapters we use read bodies whole, with no limit of their own.
 */
export async function limitBody(req: Request, maxBytes = DEFAULT_BODY_LIMIT): Promise<Request> {
  if (!req.body || req.method === "GET" || req.method === "HEAD") return req;
  const tooLarge = () =>
    new DomainError("PAYLOAD_TOO_LARGE", `Request body is larger than the ${Math.round(maxBytes / 1024)} KiB limit`);
  const declared = Number(req.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body: Buffer.concat(chunks),
    signal: req.signal,
  });
}
