import type { IncomingMessage, ServerResponse } from "node:http";

/** Whether the request target's path holds a `%` escape that does not decode (`%zz`, `%E0%A4%A`, a lone `%`). */
export function hasMalformedPath(target: string): boolean {
  const query = target.indexOf("?");
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.includes("%")) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/**
 * Next answers a path it cannot decode with a bare 500 (on every dynamic route: `/api/rest/…`, `/api/trpc/…`,
 * console pages), before any of our handlers runs. The custom server refuses such a path first: a 400 in the
 * REST error shape, naming the path. Returns whether it answered.
 */
export function refuseMalformedPath(req: IncomingMessage, res: ServerResponse): boolean {
  if (!hasMalformedPath(req.url ?? "/")) return false;
  const message = "The path holds a malformed %-escape (a '%' must be followed by two hex digits of UTF-8)";
  res.writeHead(400, { "content-type": "application/json" });
  res.end(
    JSON.stringify({ error: { message, code: "BAD_REQUEST", status: 400, issues: [{ path: "path", message }] } }),
  );
  return true;
}
