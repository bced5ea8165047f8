/** Child of adapter.ts: a trivial JSON server, `bare` (node:http alone) or through the gateway's adapter. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { READ_BODY_TEXT } from "@/server/modules/gateway/http-request";
import { jsonResponse } from "@/server/modules/gateway/json-response";
import { toNodeListener } from "@/server/modules/gateway/node-adapter";
import { benchCompletion } from "./completion";

const mode = process.argv[2];
const payload = benchCompletion("chatcmpl-x", "m@1", 1);
const server =
  mode === "bare"
    ? createServer((req, res) => {
        let raw = "";
        req.setEncoding("utf8");
        req.on("data", (p: string) => {
          raw += p;
        });
        req.on("end", () => {
          JSON.parse(raw);
          const text = JSON.stringify(payload);
          res.writeHead(200, {
            "content-type": "application/json",
            "x-request-id": "abc",
            "content-length": Buffer.byteLength(text),
          });
          res.end(text);
        });
      })
    : createServer(
        toNodeListener(async (req) => {
          const text = await (req as unknown as { [READ_BODY_TEXT]: (n: number) => Promise<string> })[READ_BODY_TEXT](
            1 << 20,
          );
          JSON.parse(text);
          return jsonResponse(payload, { headers: { "x-request-id": "abc" } });
        }),
      );
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () =>
  console.log(JSON.stringify({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
);
process.once("SIGTERM", () => process.exit(0));
