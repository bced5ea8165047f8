/**
 * Child process of bench/gateway/run.ts: the floor for any Node gateway on this machine — a `node:http` server
 * that reads each request and forwards it unchanged to the upstream through a keep-alive `node:http` agent, then
 * copies the answer back. No auth, no parsing, no logging. Prints `{"origin": ...}`; exits on SIGTERM.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const upstream = new URL(process.env.UPSTREAM_ORIGIN ?? "");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: "lifo" });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on("data", (part: Buffer) => parts.push(part));
        answer.on("end", () => {
          const out = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, {
            "content-type": answer.headers["content-type"] ?? "application/json",
            "content-length": out.length,
          });
          res.end(out);
        });
      },
    );
    forward.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    forward.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ origin: `http://127.0.0.1:${port}` }));
});
process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
