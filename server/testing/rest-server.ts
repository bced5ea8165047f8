// The REST API on a real port for tests that drive it as an outside client would (the CLI, scripts): Node's
// request in, the Fetch API's Response out, through the same handler `/api/rest` mounts.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/server/db";
import { handleRest } from "@/server/trpc/rest";

export async function serveRest(db: Db): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) =>
        typeof v === "string" ? [[k, v] as [string, string]] : [],
      ),
      ...(body.length ? { body } : {}),
    });
    const response = await handleRest(request, { db, session: async () => null });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
