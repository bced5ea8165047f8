/**
 * `npm start` serves /v1 from the esbuild bundle (scripts/run.mjs) in the same process as Next's server bundle:
 * two copies of our modules, one inference engine (a process-global singleton). Here both sides are bundled with
 * the project's own `bundle()` — the gateway (server/modules/gateway/standalone.ts) and the playground's stream
 * route (server/modules/runs/sse.ts, what Next serves at /api/rest/playground/stream) — and loaded into this one
 * process. Whichever bundle created the engine, a DomainError the engine throws (a prompt longer than the demo
 * model's context) reaches the client as the domain error it is (400 / VALIDATION), never a 500 "Internal error".
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle } from "@/scripts/lib/bundle.mjs";
import type { Db } from "@/server/db";
import type * as Gateway from "@/server/modules/gateway/standalone";
import { gatewayFixture } from "@/server/modules/gateway/testing/fixtures";
import { MemorySink } from "@/server/modules/gateway/testing/memory-sink";
import type * as Playground from "@/server/modules/runs/sse";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey } from "@/server/testing/factories";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-shared-engine-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;
process.env.SWITCHYARD_INFERENCE_DEVICE = "cpu";

const ENGINE = Symbol.for("switchyard.inference.engine");
const holder = globalThis as unknown as Record<symbol, { close(): Promise<void> } | undefined>;
async function dropEngine() {
  await holder[ENGINE]?.close();
  delete holder[ENGINE];
}

let db: Db;
withTestDatabase((created) => {
  db = created;
});

let key: string;
/** All scopes, playground:run included (the fixture's key may only invoke the gateway). */
let playgroundKey: string;
let gateway: Gateway.StandaloneGateway;
let playground: typeof Playground;
const outputs: string[] = [];
// The demo model's context is 512 tokens.
const TOO_LONG = "the quick brown fox jumps over the lazy dog ".repeat(30);

async function load<T>(entry: string, name: string): Promise<T> {
  const outfile = await bundle(path.resolve(entry), { name: `${name}-${process.pid}` });
  outputs.push(outfile, `${outfile}.map`);
  return (await import(pathToFileURL(outfile).href)) as T;
}

beforeAll(async () => {
  const fixture = await gatewayFixture(db, "http://127.0.0.1:9");
  key = fixture.key;
  playgroundKey = (await makeApiKey(db, fixture.project.id)).key;
  const gatewayBundle = await load<typeof Gateway>("server/modules/gateway/standalone.ts", "test-gateway");
  playground = await load<typeof Playground>("server/modules/runs/sse.ts", "test-playground");
  gateway = await gatewayBundle.startStandaloneGateway({
    port: 0,
    host: "127.0.0.1",
    db,
    sink: new MemorySink(),
    promptCache: null,
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await dropEngine();
  await Promise.all(outputs.map((file) => rm(file, { force: true })));
  await rm(dataDir, { recursive: true, force: true });
});

const complete = (body: Record<string, unknown>) =>
  fetch(`${gateway.origin}/v1/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "switchyard-demo", max_tokens: 4, ...body }),
  });

/** Runs the playground's stream route (the Next side) and returns its SSE events. */
async function playgroundRun(prompt: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const request = new Request("http://localhost/api/rest/playground/stream", {
    method: "POST",
    headers: { authorization: `Bearer ${playgroundKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "switchyard-demo@production", input: { prompt }, params: { maxTokens: 4 } }),
  });
  const response = await playground.streamRunResponse(request, { db, session: async () => null });
  expect(response.status).toBe(200);
  const text = await response.text();
  return text
    .trim()
    .split("\n\n")
    .map((block) => {
      const [event, data] = block.split("\n");
      return { event: event.replace("event: ", ""), data: JSON.parse(data.replace("data: ", "")) };
    });
}

describe("one inference engine under two bundles", () => {
  it("the playground's bundle created the engine: the gateway's bundle still answers 400 for a too-long prompt", async () => {
    await dropEngine();
    expect((await playgroundRun("Hi")).at(-1)?.event).toBe("done");

    const response = await complete({ prompt: TOO_LONG });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "validation", message: expect.stringMatching(/context is 512/) },
    });
  }, 60_000);

  it("the gateway's bundle created the engine: the playground's bundle still reports VALIDATION", async () => {
    await dropEngine();
    expect((await complete({ prompt: "Hi" })).status).toBe(200);

    const events = await playgroundRun(TOO_LONG);
    expect(events).toEqual([
      { event: "error", data: { code: "VALIDATION", message: expect.stringMatching(/context is 512/) } },
    ]);
  }, 60_000);
});
