import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import next from "next";
import { parseTrustedProxies, stampClientAddress } from "@/server/auth/client-address";
import { env } from "@/server/env";
import { type DrainResult, OpenRequests } from "@/server/http/graceful";
import { refuseMalformedPath } from "@/server/http/malformed-path";
import { processGatewayHandler } from "@/server/modules/gateway/mount";
import { toNodeListener } from "@/server/modules/gateway/node-adapter";
import { GatewayShuttingDown } from "@/server/modules/gateway/shutdown";
import { installV1Extensions } from "@/server/v1-extensions";

/**
 * One process, one port: `/v1/*` (the OpenAI-compatible gateway) goes
 * straight to its Fetch handler, so the data plane does not pay Next's
 * per-request cost; everything else is Next (console, tRPC, REST).
 */
export interface HttpServer {
  server: Server;
  /** SIGTERM: stop accepting, let open requests finish within `graceMs`, cut open gateway streams (logged). */
  close(graceMs: number): Promise<DrainResult>;
}

export async function startHttpServer(opts: { dev: boolean; port: number; host: string }): Promise<HttpServer> {
  const app = next({ dev: opts.dev, dir: process.cwd(), port: opts.port, hostname: opts.host });
  await app.prepare();
  const handle = app.getRequestHandler();
  installV1Extensions();
  const gateway = toNodeListener(processGatewayHandler());
  const trustedProxies = parseTrustedProxies(env().SWITCHYARD_TRUSTED_PROXIES);
  const open = new OpenRequests();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/v1/") || req.url === "/v1") {
      gateway(req, res);
      return;
    }
    if (refuseMalformedPath(req, res)) return;
    // Sign-in throttling needs the client's address, which Next's handlers cannot see.
    stampClientAddress(req, trustedProxies);
    handle(req, res).catch((error) => {
      console.error("[http]", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal server error");
    });
  };
  const server = createServer(open.wrap(listener));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    server,
    close: (graceMs) => open.drain(server, { graceMs, cut: () => gateway.cutOpen(new GatewayShuttingDown(graceMs)) }),
  };
}
