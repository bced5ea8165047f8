/**
 * The REST import route alone, for bench/datasets/endpoint.ts: node:http in
 * front of `handleDatasetImport` (what app/api/rest/datasets/import/route.ts
 * mounts), request bodies streamed as web streams the way Next hands them to
 * a route handler. Run bundled (scripts/lib/bundle.mjs), as `npm start` runs
 * its code. Prints `{"origin": …}` when listening.
 *
 * GET /rss?reset=1 answers `{ rss, peakRss }` (MiB) and starts a new peak:
 * the parent resets it before an upload and reads it after. RSS is sampled
 * every 20 ms.
 */
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { createDb } from "@/server/db";
import { handleDatasetImport } from "@/server/modules/datasets/http";

const db = createDb(process.env.DATABASE_URL ?? "");
let peak = process.memoryUsage.rss();
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20).unref();

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://bench.local");
  if (url.pathname === "/rss") {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    res.end(JSON.stringify({ rss: rss / 2 ** 20, peakRss: peak / 2 ** 20 }));
    if (url.searchParams.get("reset")) peak = rss;
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const request = new Request(url, {
    method: req.method,
    headers,
    body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
    duplex: "half",
  } as RequestInit);
  try {
    const response = await handleDatasetImport(request, { db, session: async () => null });
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address && typeof address === "object")
    console.log(JSON.stringify({ origin: `http://127.0.0.1:${address.port}` }));
});
