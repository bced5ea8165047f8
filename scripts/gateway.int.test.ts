/**
 * `npm run gateway` as a user runs it: `node scripts/run.mjs scripts/gateway.ts` (the esbuild bundle, not tsx),
 * against a migrated database. Serves a chat completion through a fake upstream, refuses a request without a key,
 * and on SIGTERM flushes its request log and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { reply } from "@/server/modules/gateway/testing/chat-upstream";
import { gatewayFixture, UPSTREAM_REPLY } from "@/server/modules/gateway/testing/fixtures";
import { type FakeUpstream, startFakeUpstream } from "@/server/modules/providers/testing/fake-upstream";
import { withTestDatabase } from "@/server/testing/db";
import { freePort } from "@/server/testing/ports";

let db: Db;
let url: string;
withTestDatabase((client, databaseUrl) => {
  db = client;
  url = databaseUrl;
});

let upstream: FakeUpstream;
let child: ChildProcess;
let origin: string;
let key: string;
const output: string[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream((req, res) => reply(req, res, ["Hello, ", "wörld"]));
  key = (await gatewayFixture(db, upstream.origin)).key;
  const port = await freePort();
  child = spawn(process.execPath, [path.resolve("scripts/run.mjs"), "scripts/gateway.ts"], {
    env: { ...process.env, DATABASE_URL: url, GATEWAY_PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr!.on("data", (chunk: Buffer) => output.push(String(chunk)));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the gateway exited (${code}): ${output.join("")}`)));
    lines.on("line", (line) => {
      output.push(line);
      if (line.includes("OpenAI-compatible API at")) resolve();
    });
  });
  origin = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await upstream?.close();
});

describe("npm run gateway", () => {
  it("serves /v1 from the bundle, refuses a missing key, and logs the request before it exits", async () => {
    const refused = await fetch(`${origin}/v1/models`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { type: "authentication_error", code: "unauthenticated" } });

    const served = await fetch(`${origin}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-gpt@production", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(served.status).toBe(200);
    const body = (await served.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0].message.content).toBe(UPSTREAM_REPLY);
    const requestId = served.headers.get("x-request-id")!;
    expect(served.headers.get("x-switchyard-model-version")).toBe("fake-gpt@1");

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    // The shutdown flushed the log (the keyless request has no project, so no row of its own).
    const rows = await db.$queryRaw<{ id: string; status: number }[]>`SELECT id::text, status FROM request_log`;
    expect(rows).toEqual([{ id: requestId, status: 200 }]);
  }, 30_000);
});
