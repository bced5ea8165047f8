import { createServer, type Server } from "node:http";
import next from "next";

/**
 * One process, one port: the console and its APIs are served by Next's request
 * handler. (The `/v1` gateway will be routed here to its own Fetch handler
 * before Next, so the data plane does not pay Next's per-request cost.)
 */
export async function startHttpServer(opts: { dev: boolean; port: number; host: string }): Promise<Server> {
  const app = next({ dev: opts.dev, dir: process.cwd(), port: opts.port, hostname: opts.host });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error("[http]", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal server error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}
