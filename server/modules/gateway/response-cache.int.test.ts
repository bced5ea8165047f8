/** The exact-match response cache: deterministic requests are served from it, sampled ones and bypasses are not. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/server/db";
import { artifactStore } from "@/server/modules/artifacts/store";
import { DEMO_REPLY } from "@/server/modules/inference/model-builder/pattern";
import { registerDemoModel } from "@/server/modules/models/demo";
import { withTestDatabase } from "@/server/testing/db";
import { makeApiKey, makeProject } from "@/server/testing/factories";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { MemorySink } from "./testing/memory-sink";

const dataDir = await mkdtemp(path.join(tmpdir(), "switchyard-cache-"));
process.env.SWITCHYARD_DATA_DIR = dataDir;

let db: Db;
let key: string;
let handler: GatewayHandler;
const sink = new MemorySink();
withTestDatabase((created) => {
  db = created;
});
beforeAll(async () => {
  const { project } = await makeProject(db);
  await registerDemoModel(
    { db, store: artifactStore() },
    { projectId: project.id, actor: { type: "system", userId: null, keyId: null, label: "t" } },
  );
  key = (await makeApiKey(db, project.id)).key;
  handler = createGatewayHandler({ db, sink, promptCache: null });
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await handler(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
      body: JSON.stringify({ model: "switchyard-demo", messages: [{ role: "user", content: "Hi" }], ...body }),
    }),
  );
  return { response, json: await response.json() };
}

describe("response cache", () => {
  it("serves an identical greedy request from the cache and logs it as a hit", async () => {
    const first = await chat({});
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    const second = await chat({});
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.json.choices[0].message.content).toBe(DEMO_REPLY);
    expect(second.json.id).not.toBe(first.json.id);
    expect(second.json.switchyard.cache).toBe("hit");
    const [, hit] = sink.entries.slice(-2);
    expect(hit).toMatchObject({ cacheHit: true, status: 200, costUsd: 0, deployment: "cache" });
    expect(hit.tokensOut).toBe(first.json.usage.completion_tokens);
  });

  it("skips the cache on bypass, for sampled requests, for streams, and for a different input", async () => {
    expect((await chat({}, { "x-switchyard-cache": "bypass" })).response.headers.get("x-switchyard-cache")).toBeNull();
    expect((await chat({ temperature: 0.9 })).response.headers.get("x-switchyard-cache")).toBeNull();
    expect((await chat({ temperature: 0.9, seed: 3 })).response.headers.get("x-switchyard-cache")).toBe("miss");
    expect(
      (await chat({ messages: [{ role: "user", content: "Hello" }] })).response.headers.get("x-switchyard-cache"),
    ).toBe("miss");
    const stream = await handler(
      new Request("http://localhost/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "switchyard-demo", messages: [{ role: "user", content: "Hi" }], stream: true }),
      }),
    );
    expect(stream.headers.get("x-switchyard-cache")).toBeNull();
    await stream.text();
  });
});
